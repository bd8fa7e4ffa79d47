// A Handlebars environment of our own for each template load: helpers and partials are registered on
// it, never on the global Handlebars instance, so two template sets (the running one and a candidate
// being validated) never see each other's partials.
import Handlebars from 'handlebars';
import { helpers } from './helpers.js';

export type Environment = ReturnType<typeof Handlebars.create>;
export type CompiledTemplate = HandlebarsTemplateDelegate;

/**
 * strict: a missing field is an error (helper arguments are covered by strictContext).
 * noEscape: the outputs are scripts, JSON and markdown, not HTML; values are escaped by the helper
 * that fits the output (shq, json), which the lint enforces for .sh and .json templates.
 * A fresh object per call: Handlebars writes into the options it is given.
 */
export const compileOptions = () => ({ strict: true, noEscape: true });

export function createEnvironment(): Environment {
  const env = Handlebars.create();
  for (const [name, fn] of Object.entries(helpers)) env.registerHelper(name, fn);
  return env;
}

/** Compiles now (Handlebars compiles lazily on first render), so syntax errors surface at load. */
export function compile(env: Environment, source: string): CompiledTemplate {
  const template = env.compile(source, compileOptions());
  // Handlebars compiles on first render; precompile surfaces syntax errors now, at load.
  env.precompile(source, compileOptions());
  return template;
}
