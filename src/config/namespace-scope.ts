// The runs' namespaces as the config states them, in one of three exclusive forms: `watchNamespace`
// (one), `watchNamespaces` (a list) or `namespaceSelector` (a label selector of namespaces); none is
// every namespace. Read once at start: the caches are built for one scope (docs/design.md §1.2, §8).
import type { ControllerConfig } from '../api/index.js';
import { labelSelectorProblem } from '../naming/index.js';
import type { NamespaceScope } from '../runtime/index.js';
import { error, type Finding } from '../validation/index.js';

type ScopeFields = Pick<ControllerConfig, 'watchNamespace' | 'watchNamespaces' | 'namespaceSelector'>;

/** The forms set, by field name (an empty watchNamespace is the documented "all namespaces"). */
function formsSet(config: ScopeFields): string[] {
  return [
    ...(config.watchNamespace ? ['watchNamespace'] : []),
    ...(config.watchNamespaces ? ['watchNamespaces'] : []),
    ...(config.namespaceSelector !== undefined ? ['namespaceSelector'] : []),
  ];
}

/** The rules a schema cannot state: one form at most, and a selector the apiserver accepts. */
export function namespaceScopeFindings(config: ScopeFields): Finding[] {
  const findings: Finding[] = [];
  const [first, ...others] = formsSet(config);
  for (const field of others)
    findings.push(
      error(
        'config',
        field,
        `Forbidden: ${first} is set too: choose one way to scope the runs' namespaces (watchNamespace: one namespace, watchNamespaces: a list, namespaceSelector: the namespaces with matching labels). To combine a list with a selector, label the listed namespaces instead`,
      ),
    );
  const selector = config.namespaceSelector;
  const problem = selector === undefined ? undefined : labelSelectorProblem(selector);
  if (problem)
    findings.push(
      error('config', 'namespaceSelector', `Invalid value: ${JSON.stringify(selector)}: ${problem}`),
    );
  return findings;
}

/** The scope a valid config states. */
export function namespaceScope(config: ScopeFields): NamespaceScope {
  if (config.namespaceSelector !== undefined) return { selector: config.namespaceSelector };
  if (config.watchNamespaces) return { namespaces: config.watchNamespaces };
  if (config.watchNamespace) return { namespaces: [config.watchNamespace] };
  return { all: true };
}
