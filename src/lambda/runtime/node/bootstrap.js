// bootstrap.js: the Node.js runtime interface client of leastcloud's Lambda. It does what AWS's
// Node runtimes do: load the handler named by _HANDLER from LAMBDA_TASK_ROOT, then loop on the
// Runtime API (GET invocation/next, POST .../response or .../error), and prefix console output with
// the timestamp, request id and level as CloudWatch shows it.
"use strict";

const fs = require("fs");
const http = require("http");
const path = require("path");
const util = require("util");
const { pathToFileURL } = require("url");

const api = process.env.AWS_LAMBDA_RUNTIME_API;
const [apiHost, apiPort] = api.split(":");
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
let currentRequestId;

function request(method, urlPath, body, headers) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.from(body);
    const req = http.request(
      { host: apiHost, port: Number(apiPort), method, path: "/2018-06-01/runtime" + urlPath, agent,
        headers: Object.assign({ "Content-Type": "application/json",
                                 "Content-Length": data ? data.length : 0 }, headers || {}) },
      (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on("error", reject);
      });
    req.on("error", reject);
    if (data) req.write(data);
    req.end();
  });
}

function patchConsole() {
  const levels = { log: "INFO", info: "INFO", warn: "WARN", error: "ERROR", debug: "DEBUG", trace: "TRACE" };
  for (const [name, level] of Object.entries(levels)) {
    console[name] = (...args) => {
      const line = `${new Date().toISOString()}\t${currentRequestId || "undefined"}\t${level}\t${util.format(...args)}\n`;
      process.stdout.write(line.replace(/\n(?!$)/g, "\r"));
    };
  }
}

function errorDoc(err) {
  if (err instanceof Error) {
    return { errorType: err.name || "Error", errorMessage: err.message,
             trace: String(err.stack || "").split("\n") };
  }
  return { errorType: typeof err === "string" ? "string" : typeof err,
           errorMessage: typeof err === "string" ? err : JSON.stringify(err), trace: [] };
}

function logError(requestId, doc) {
  const line = `${new Date().toISOString()}\t${requestId || "undefined"}\tERROR\tInvoke Error \t${JSON.stringify(doc)}\n`;
  process.stdout.write(line);
}

class ImportError extends Error {}

async function loadHandler() {
  const spec = process.env._HANDLER || "index.handler";
  const dot = spec.lastIndexOf(".");
  const modPath = spec.slice(0, dot);
  const fnPath = spec.slice(dot + 1);
  const root = process.env.LAMBDA_TASK_ROOT || process.cwd();
  let mod;
  try {
    // As AWS's Node runtimes: index.mjs is an ES module, index.js / index.cjs CommonJS.
    const esm = path.resolve(root, modPath + ".mjs");
    if (fs.existsSync(esm)) {
      require("module").register(pathToFileURL(path.join(__dirname, "esm_resolve.mjs")).href);
      mod = await import(pathToFileURL(esm).href);
    } else {
      mod = require(path.resolve(root, modPath));
    }
  } catch (e) {
    if (e && e.code === "MODULE_NOT_FOUND" && String(e.message).includes(path.resolve(root, modPath))) {
      const err = new ImportError(`Error: Cannot find module '${modPath}'\nRequire stack:\n- ${__filename}`);
      err.name = "Runtime.ImportModuleError";
      throw err;
    }
    if (e instanceof SyntaxError) e.name = "Runtime.UserCodeSyntaxError";
    throw e;
  }
  let fn = mod;
  for (const part of fnPath.split(".")) fn = fn ? fn[part] : undefined;
  if (typeof fn !== "function") {
    const err = new Error(`${spec} is undefined or not exported`);
    err.name = "Runtime.HandlerNotFound";
    throw err;
  }
  return fn;
}

function runHandler(handler, event, context) {
  return new Promise((resolve, reject) => {
    let settled = false;
    const callback = (err, result) => {
      if (settled) return;
      settled = true;
      if (err !== undefined && err !== null) reject(err);
      else resolve(result);
    };
    context.done = callback;
    context.succeed = (r) => callback(null, r);
    context.fail = (e) => callback(e || new Error("handled"));
    try {
      const ret = handler(event, context, callback);
      if (ret && typeof ret.then === "function") ret.then((r) => callback(null, r), (e) => callback(e));
      else if (handler.length < 3) callback(null, ret);
    } catch (e) {
      callback(e);
    }
  });
}

async function main() {
  patchConsole();
  let handler;
  try {
    handler = await loadHandler();
  } catch (e) {
    const doc = errorDoc(e);
    logError(undefined, doc);
    await request("POST", "/init/error", JSON.stringify(doc), { "Lambda-Runtime-Function-Error-Type": doc.errorType });
    process.exit(1);
  }
  for (;;) {
    const next = await request("GET", "/invocation/next");
    const id = next.headers["lambda-runtime-aws-request-id"];
    const deadline = Number(next.headers["lambda-runtime-deadline-ms"]);
    currentRequestId = id;
    if (next.headers["lambda-runtime-trace-id"]) process.env._X_AMZN_TRACE_ID = next.headers["lambda-runtime-trace-id"];
    const context = {
      awsRequestId: id,
      invokedFunctionArn: next.headers["lambda-runtime-invoked-function-arn"],
      functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
      functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
      memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
      logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
      logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    };
    let event;
    try {
      const text = next.body.toString("utf8");
      event = text.length ? JSON.parse(text) : {};
    } catch (e) {
      event = next.body.toString("utf8");
    }
    try {
      const result = await runHandler(handler, event, context);
      const body = result === undefined ? "null" : JSON.stringify(result);
      await request("POST", `/invocation/${id}/response`, body);
    } catch (e) {
      const doc = errorDoc(e);
      logError(id, doc);
      await request("POST", `/invocation/${id}/error`, JSON.stringify(doc),
                    { "Lambda-Runtime-Function-Error-Type": doc.errorType });
    }
    currentRequestId = undefined;
  }
}

process.on("unhandledRejection", (reason) => {
  const doc = errorDoc(reason);
  logError(currentRequestId, doc);
  const post = currentRequestId
    ? request("POST", `/invocation/${currentRequestId}/error`, JSON.stringify(doc))
    : request("POST", "/init/error", JSON.stringify(doc));
  post.finally(() => process.exit(128));
});

main().catch((e) => {
  process.stderr.write(`leastcloud node runtime: ${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});
