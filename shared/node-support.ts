// Our tools run on the laptop's Node 20 (Lambda runs 22). The lockfile pins SDK releases that support Node 20,
// so the SDK's "upgrade to Node 22" notice is noise on every command; Lambda never sees this module.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
