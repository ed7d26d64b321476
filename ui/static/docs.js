// The API reference page (/docs): Swagger UI over the server's own /openapi.json. A file, not
// an inline script, for the UI's CSP. Try-it-out calls go to this server with the session's
// cookie; writes carry the page's CSRF token, as the islands' calls do.
const root = document.getElementById("api-docs");
const csrf = document.querySelector('meta[name="csrf-token"]')?.getAttribute("content");
globalThis.SwaggerUIBundle({
  url: root.dataset.spec,
  domNode: root,
  deepLinking: true,
  // No call to validator.swagger.io: the page works offline, and the CSP allows only this origin.
  validatorUrl: null,
  requestInterceptor(req) {
    if (csrf && req.method && req.method.toUpperCase() !== "GET") {
      req.headers["X-CSRF-Token"] = csrf;
    }
    return req;
  },
});
