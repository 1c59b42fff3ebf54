#!/usr/bin/env node
// Validates Kubernetes objects against the OpenAPI schemas of the Kubernetes API, offline: every
// object of a multi-document YAML stream (e.g. `helm template` output), read from a file or stdin.
//
//   helm template test helm/metacluster | node Deploy/scripts/validate-k8s.mjs
//   node Deploy/scripts/validate-k8s.mjs rendered.yaml
//   node Deploy/scripts/validate-k8s.mjs --version      (exit 3: not installed)
//
// Prints one line per invalid object (kind/name, its template, each schema error, each unknown
// field) and exits 1 if there is any; else a count line and exit 0. Objects of kinds with no
// built-in schema (CRDs such as monitoring.coreos.com ServiceMonitor) are listed as skipped, not
// failed: nothing here knows their schema, and calling them valid would claim a check not made.
//
// The schemas are those compiled into the npm package kubernetes-models (one generated validator
// per kind, the API's OpenAPI schemas), installed with its runtime and the yaml parser by
// Deploy/scripts/ensure-kube-validate.sh into .tools/kube-validate (or KUBE_VALIDATE_MODULES).
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const modules = process.env.KUBE_VALIDATE_MODULES
  ?? resolve(here, "..", "..", ".tools", "kube-validate", "node_modules");
const NOT_INSTALLED = 3;

// The packages live outside this script's folder, so bare imports cannot find them: import each
// package's entry point by path, as its package.json "exports" names it for node.
async function importPackage(name) {
  const dir = join(modules, ...name.split("/"));
  const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  let entry = manifest.exports?.["."] ?? manifest.exports ?? manifest.main ?? "index.js";
  while (typeof entry === "object") entry = entry.node ?? entry.import ?? entry.default;
  return { version: manifest.version, module: await import(pathToFileURL(join(dir, entry)).href) };
}

async function loadTools() {
  try {
    const [models, yaml] = await Promise.all([importPackage("kubernetes-models"), importPackage("yaml")]);
    return { models, yaml };
  } catch (error) {
    console.error(`validate-k8s: the validator's packages are not in ${modules} (${error.code ?? error.message}); ` +
      "run Deploy/scripts/ensure-kube-validate.sh");
    process.exit(NOT_INSTALLED);
  }
}

// "apps/v1 Deployment" -> the model class, from every API group and version the package exports
// (namespaces of namespaces of classes that carry static apiVersion and kind).
function schemaRegistry(root) {
  const registry = new Map();
  const visit = (namespace, depth) => {
    for (const value of Object.values(namespace)) {
      if (typeof value === "function" && typeof value.apiVersion === "string" && typeof value.kind === "string") {
        registry.set(`${value.apiVersion} ${value.kind}`, value);
      } else if (value && typeof value === "object" && depth < 2) {
        visit(value, depth + 1);
      }
    }
  };
  visit(root, 0);
  return registry;
}

// Unknown fields. The OpenAPI schemas accept any extra property, but an install refuses them
// (kubectl's default strict field validation; helm validates against the cluster's schema), so a
// misspelt or misplaced key would pass the schema and fail, or be dropped, at install time. The package's type declarations (.d.ts, one per type) list
// every field of every type: walk the object along them. Types that declare no field (RawExtension)
// and multi-line inline types are left open, as the schema leaves them.
const declarations = new Map();

function declarationOf(file) {
  if (declarations.has(file)) return declarations.get(file);
  let declared = null;
  const text = existsSync(file) ? readFileSync(file, "utf8") : "";
  const body = /^export interface I(\w+)(?: extends [\w, ]+)? \{\n([\s\S]*?)^\}/m.exec(text);
  if (body) {
    const imports = new Map([...text.matchAll(/^import \{ (\w+) \} from "([^"]+)";/gm)].map(([, id, from]) =>
      [id, from.startsWith(".") ? join(dirname(file), from.replace(/\.js$/, ".d.ts")) : join(modules, `${from}.d.ts`)]));
    const fields = new Map();
    for (const [, name, type] of body[2].matchAll(/^ {4}"([^"]+)"\??: (.*?);?$/gm)) {
      const reference = /^(Array<)?(\w+)>?$/.exec(type);
      fields.set(name, { array: Boolean(reference?.[1]), file: reference ? imports.get(reference[2]) : undefined });
    }
    if (fields.size > 0) declared = { type: body[1], fields };
  }
  declarations.set(file, declared);
  return declared;
}

function unknownFields(value, file, path, problems) {
  const declared = declarationOf(file);
  if (!declared || value === null || typeof value !== "object" || Array.isArray(value)) return;
  for (const [key, child] of Object.entries(value)) {
    const field = declared.fields.get(key);
    if (!field) {
      problems.push(`${path}/${key} is not a field of ${declared.type}`);
    } else if (field.file && field.array && Array.isArray(child)) {
      child.forEach((item, i) => unknownFields(item, field.file, `${path}/${key}/${i}`, problems));
    } else if (field.file && !field.array) {
      unknownFields(child, field.file, `${path}/${key}`, problems);
    }
  }
}

// Helm writes "# Source: CHART/templates/FILE" above each document: name it in the report.
function sourceOf(document) {
  // The parser hangs it on the document, its root mapping or the first key, depending on "---".
  const comments = [document.commentBefore, document.contents?.commentBefore, document.contents?.items?.[0]?.key?.commentBefore]
    .filter(Boolean).join("\n");
  const match = /^\s*Source:\s*(\S+)/m.exec(comments);
  return match ? ` (${match[1]})` : "";
}

function describe(object) {
  const name = object?.metadata?.name ?? object?.metadata?.generateName ?? "<no name>";
  return `${object?.kind ?? "<no kind>"}/${name}`;
}

// Problems of one object: the schema's errors, plus the checks the API server makes before any
// schema (apiVersion, kind, a name), which the generated schemas leave optional.
function problemsOf(object, registry) {
  if (object === null || typeof object !== "object" || Array.isArray(object)) {
    return { problems: ["is not a mapping (an object)"] };
  }
  const problems = [];
  for (const field of ["apiVersion", "kind"]) {
    if (typeof object[field] !== "string" || object[field] === "") problems.push(`${field} is missing`);
  }
  if (!object.metadata?.name && !object.metadata?.generateName) problems.push("metadata.name is missing");
  if (problems.length > 0) return { problems };

  const model = registry.get(`${object.apiVersion} ${object.kind}`);
  if (!model) return { skipped: true };
  try {
    new model(object).validate();
  } catch (error) {
    if (!Array.isArray(error.errors)) throw error;
    problems.push(...new Set(error.errors.map((e) => `${e.instancePath || "/"} ${e.message}` +
      (e.params?.allowedValues ? ` (${e.params.allowedValues.join(", ")})` : ""))));
  }
  unknownFields(object, join(modules, "kubernetes-models", ...object.apiVersion.split("/"), `${object.kind}.d.ts`), "", problems);
  return { problems };
}

async function main(args) {
  const { models, yaml } = await loadTools();
  if (args[0] === "--version") {
    const registry = schemaRegistry(models.module);
    console.log(`kubernetes-models ${models.version} (${registry.size} kinds), yaml ${yaml.version}, node ${process.version}`);
    return 0;
  }
  if (args.length > 1 || args[0]?.startsWith("-") && args[0] !== "-") {
    console.error("usage: validate-k8s.mjs [FILE|-]   (default: stdin)   |   validate-k8s.mjs --version");
    return 2;
  }
  const text = readFileSync(args[0] && args[0] !== "-" ? args[0] : 0, "utf8");
  const registry = schemaRegistry(models.module);

  // YAML 1.1, as helm and the API server's parser (sigs.k8s.io/yaml) read it: yes/no/on/off are
  // booleans there, so they must be here too. A date stays a string there (it becomes JSON), so
  // the 1.1 timestamp type is left out.
  const documents = yaml.module.parseAllDocuments(text, {
    version: "1.1", merge: true, customTags: (tags) => tags.filter((tag) => tag.tag !== "tag:yaml.org,2002:timestamp"),
  });
  let valid = 0;
  let invalid = 0;
  const skipped = [];
  for (const document of Array.isArray(documents) ? documents : [documents]) {
    if (document.errors.length > 0) {
      console.log(`invalid YAML${sourceOf(document)}: ${document.errors.map((e) => e.message.replace(/\s+/g, " ").trim()).join("; ")}`);
      invalid++;
      continue;
    }
    const object = document.toJS({ maxAliasCount: -1 });
    if (object === null || object === undefined) continue; // an empty document: nothing to create
    const { problems, skipped: isSkipped } = problemsOf(object, registry);
    if (isSkipped) {
      skipped.push(`${object.apiVersion} ${describe(object)}`);
    } else if (problems.length > 0) {
      console.log(`invalid ${describe(object)}${sourceOf(document)}: ${problems.join("; ")}`);
      invalid++;
    } else {
      valid++;
    }
  }
  for (const name of skipped) console.log(`skipped ${name}: no schema for this kind (a custom resource)`);
  const total = valid + invalid + skipped.length;
  if (invalid > 0) {
    console.log(`${invalid} of ${total} objects invalid, ${valid} valid, ${skipped.length} skipped`);
    return 1;
  }
  if (total === 0) {
    console.log("no Kubernetes object in the input");
    return 1;
  }
  console.log(`${valid} objects valid, ${skipped.length} skipped`);
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
