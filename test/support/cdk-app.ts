import { App } from 'aws-cdk-lib';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** cdk.json's context, which `new App()` in a test does not read by itself. */
function cdkJsonContext(): Record<string, unknown> {
  return JSON.parse(readFileSync(join(__dirname, '..', '..', 'cdk.json'), 'utf8')).context;
}

/**
 * An App configured as `cdk synth` would be, minus the slow parts unit tests do not need: no asset
 * bundling (unless asked) and no built-in CloudFormation validator.
 */
export function testApp(context: Record<string, unknown> = {}, options: { bundle?: boolean; outdir?: string } = {}): App {
  return new App({
    context: { ...cdkJsonContext(), ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }), ...context },
    builtinCloudFormationValidation: false,
    outdir: options.outdir,
  });
}
