#!/usr/bin/env node
// Node 20 is supported locally; the SDK's notice about its future minimum is not for CLI users.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const { main } = require('../dist/cli.js');
main(process.argv);
