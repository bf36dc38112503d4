/**
 * Lets Node run the example's TypeScript directly (`node --import ./tsResolve.ts app.ts`): Node strips the
 * types itself, and this resolve hook maps a relative `./x.js` specifier (NodeNext style, as the sources
 * write them) to `./x.ts` when only the latter exists. No compile step, no extra package.
 */
import { existsSync } from "node:fs";
import { registerHooks } from "node:module";
import { fileURLToPath } from "node:url";

registerHooks({
  resolve(specifier, context, nextResolve) {
    if (specifier.startsWith(".") && specifier.endsWith(".js") && context.parentURL?.startsWith("file:")) {
      const asTs = new URL(`${specifier.slice(0, -3)}.ts`, context.parentURL);
      if (!existsSync(fileURLToPath(new URL(specifier, context.parentURL))) && existsSync(fileURLToPath(asTs))) {
        return nextResolve(asTs.href, context);
      }
    }
    return nextResolve(specifier, context);
  },
});
