import { strict as assert } from "node:assert";
import { MlflowError } from "../store/errors.ts";
import { proxiedPath } from "./uri.ts";

Deno.test("proxiedPath() maps mlflow-artifacts URIs", async (t) => {
  const cases: [string, string][] = [
    ["mlflow-artifacts:/1/abc/artifacts", "1/abc/artifacts"],
    ["mlflow-artifacts:/", ""],
    ["mlflow-artifacts:", ""],
    ["mlflow-artifacts://localhost:5000/1/abc/artifacts", "1/abc/artifacts"],
    ["mlflow-artifacts://host", ""],
    ["MLFLOW-ARTIFACTS:/x", "x"],
    ["mlflow-artifacts:/1/a%20b", "1/a b"],
  ];
  for (const [uri, expected] of cases) {
    await t.step(uri, () => assert.equal(proxiedPath(uri), expected));
  }
});

Deno.test("proxiedPath() maps http(s) proxy URLs after the artifacts route", async (t) => {
  const cases: [string, string][] = [
    ["http://localhost:5000/api/2.0/mlflow-artifacts/artifacts/1/abc/artifacts", "1/abc/artifacts"],
    ["https://mlflow.example.com/prefix/api/2.0/mlflow-artifacts/artifacts/x/y", "x/y"],
    ["http://h/api/2.0/mlflow-artifacts/artifacts", ""],
    ["http://h/api/2.0/mlflow-artifacts/artifacts/", ""],
  ];
  for (const [uri, expected] of cases) {
    await t.step(uri, () => assert.equal(proxiedPath(uri), expected));
  }
});

Deno.test("proxiedPath() returns null for URIs the server must never open", async (t) => {
  const uris = [
    "file:///etc/passwd",
    "/etc/passwd",
    "relative/path",
    "s3://bucket/prefix",
    "runs:/abc/model",
    "models:/m/1",
    "dbfs:/",
    "gs://b/x",
    "http://169.254.169.254/latest/meta-data",
    "https://internal/api/2.0/mlflow/experiments/list",
    "http://h/api/2.0/mlflow-artifacts/artifactsX/y",
    "http://h?q=/api/2.0/mlflow-artifacts/artifacts/x",
    "http://h/x?/api/2.0/mlflow-artifacts/artifacts/y",
    "ftp://h/api/2.0/mlflow-artifacts/artifacts/x",
    "http:/api/2.0/mlflow-artifacts/artifacts/x",
    "",
  ];
  for (const uri of uris) {
    await t.step(JSON.stringify(uri), () => assert.equal(proxiedPath(uri), null));
  }
});

Deno.test("proxiedPath() validates the path of a proxied URI", async (t) => {
  const uris = [
    "mlflow-artifacts:/../../etc",
    "mlflow-artifacts:/1/%2e%2e/%2e%2e/x",
    "mlflow-artifacts:/1/%252e%252e%252fx",
    "mlflow-artifacts:////etc",
    "mlflow-artifacts://h//etc",
    "mlflow-artifacts:/x;params",
    "mlflow-artifacts:/x#frag",
    "mlflow-artifacts:/x?q",
    "mlflow-artifacts://h?x",
    "mlflow-artifacts:/C:/x",
    "mlflow-artifacts:/a\\..\\b",
    "http://h/api/2.0/mlflow-artifacts/artifacts/../../x",
    "http://h/api/2.0/mlflow-artifacts/artifacts/x?y",
    "http://h/api/2.0/mlflow-artifacts/artifacts/x#y",
  ];
  for (const uri of uris) {
    await t.step(JSON.stringify(uri), () => {
      assert.throws(() => proxiedPath(uri), (err: unknown) => {
        assert.ok(err instanceof MlflowError);
        assert.equal(err.code, "INVALID_PARAMETER_VALUE");
        return true;
      });
    });
  }
});
