// aws-local-stepfunctions (test/stepfunctions) calls Promise.withResolvers, which Node has from 22 on.
import './promise-with-resolvers';

// Node 20 is this project's supported local runtime (the Lambda runs 22); the SDK's notice about its
// future minimum would repeat in every test worker.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
