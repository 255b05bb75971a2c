// esm_resolve.mjs: lets ES-module handlers import the SDK v3 from NODE_PATH, as AWS's Node runtimes
// let them import the SDK they ship (ESM resolution ignores NODE_PATH). Registered by bootstrap.js.
import path from "node:path";
import { pathToFileURL } from "node:url";

export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (err) {
    const bare = !specifier.startsWith(".") && !specifier.startsWith("/") && !specifier.includes(":");
    if (!bare || err.code !== "ERR_MODULE_NOT_FOUND") throw err;
    for (const dir of (process.env.NODE_PATH || "").split(path.delimiter).filter(Boolean)) {
      try {
        return await nextResolve(specifier, { ...context, parentURL: pathToFileURL(path.join(dir, "_")).href });
      } catch (e) {
        if (e.code !== "ERR_MODULE_NOT_FOUND") throw e;
      }
    }
    throw err;
  }
}
