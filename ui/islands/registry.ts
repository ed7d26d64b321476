/**
 * Every island, by the name pages use in `<Island name="…">` and the client entry hydrates.
 * Keys are the component names; the server (ui/island.tsx) and the browser (client.ts) both read
 * this one object, so a page cannot name an island the bundle lacks, and props are type-checked
 * against the component.
 *
 * Adding an island: write `ui/islands/MyIsland.tsx` (a named export), add it here. That is all.
 *
 * @module
 */
import { AccessPanel } from "./AccessPanel.tsx";
import { ApiTokens } from "./ApiTokens.tsx";
import { ArtifactBrowser } from "./ArtifactBrowser.tsx";
import { CompareCharts } from "./CompareCharts.tsx";
import { CompareViews } from "./CompareViews.tsx";
import { CreateModel } from "./CreateModel.tsx";
import { ExperimentDescription } from "./ExperimentDescription.tsx";
import { ExperimentsList } from "./ExperimentsList.tsx";
import { RunsTable } from "./RunsTable.tsx";
import { MetricChart } from "./MetricChart.tsx";
import { ModelVersions } from "./ModelVersions.tsx";
import { RegisterModel } from "./RegisterModel.tsx";
import { RegistryDelete } from "./RegistryDelete.tsx";
import { RegistryDescription } from "./RegistryDescription.tsx";
import { RegistryTags } from "./RegistryTags.tsx";
import { RunDescription } from "./RunDescription.tsx";
import { RunHeader } from "./RunHeader.tsx";
import { RunTags } from "./RunTags.tsx";
import { UsersAdmin } from "./UsersAdmin.tsx";
import { VersionPanel } from "./VersionPanel.tsx";

/** The island registry: name → component. */
export const ISLANDS = {
  ExperimentsList,
  // Experiment page (/experiments/:id)
  ExperimentDescription,
  RunsTable,
  // Run page (/runs/:id)
  RunHeader,
  RunDescription,
  RunTags,
  ArtifactBrowser,
  MetricChart,
  // Compare runs page (/compare?runs=…)
  CompareCharts,
  CompareViews,
  // Model registry (/models, /models/:name, /models/:name/versions/:n; "Register model" on the
  // run and logged-model pages)
  CreateModel,
  RegistryDescription,
  RegistryTags,
  RegistryDelete,
  ModelVersions,
  VersionPanel,
  RegisterModel,
  // Experiment and registered-model pages, for viewers who manage access
  AccessPanel,
  // Users (/admin/users) and API tokens (/settings/tokens), with auth on
  UsersAdmin,
  ApiTokens,
} as const;

/** An island's name. */
export type IslandName = keyof typeof ISLANDS;
