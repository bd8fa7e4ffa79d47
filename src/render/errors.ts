// The two ways rendering fails. A RenderError is about one run (its spec asks for something the
// templates cannot give, or its files do not fit a ConfigMap): retrying will not help, the run should
// fail with the message. A TemplateError is about a template set: it is refused and the last good
// set stays in use.

export class RenderError extends Error {
  override name = 'RenderError';
}

export class TemplateError extends Error {
  override name = 'TemplateError';
  constructor(
    readonly dir: string,
    readonly problems: string[],
  ) {
    super(`invalid templates in ${dir}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}
