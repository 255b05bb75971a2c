// Misbehaving handlers for the supervisor's error paths.
exports.boom = async function () {
  console.error("about to fail");
  throw new Error("boom");
};

exports.sleep = async function (event) {
  console.log("sleeping pid=" + process.pid);
  await new Promise((resolve) => setTimeout(resolve, (event && event.ms) || 60000));
  return "woke";
};

exports.crash = function () {
  process.exit(3);
};

exports.env = async function () {
  const keys = ["AWS_LAMBDA_FUNCTION_NAME", "_HANDLER", "AWS_REGION", "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT",
                "AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SESSION_TOKEN", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
                "AWS_LAMBDA_FUNCTION_VERSION", "GREETING", "NODE_PATH"];
  const out = {};
  for (const k of keys) out[k] = process.env[k] === undefined ? null : process.env[k];
  return out;
};

exports.callback = function (event, context, callback) {
  callback(null, { via: "callback", requestId: context.awsRequestId, arn: context.invokedFunctionArn,
                   remaining: context.getRemainingTimeInMillis() });
};
