// A run's workspace volume is bounded (docs/security.md "Images, placement and size"): spec.workspace.size
// at most workspace.maxSize (never less than workspace.size, its default), and spec.workspace.
// storageClassName only the config's workspace.storageClassName or one of workspace.allowedStorageClasses:
// a StorageClass decides the volume's cost, speed and backups, the platform's choice. On UPDATE a value
// the stored run had is not judged again.
import { compareQuantities, isPlainObject, parseQuantity, type Quantity } from '../../util/index.js';
import { error, type Finding, showValue } from '../../validation/index.js';
import { field, type Rule } from './context.js';

const RULE = 'workspace-bounds';

export const boundedWorkspace: Rule<unknown> = ({ object, oldObject, operation, config }) => {
  const workspace = field(object, 'spec.workspace');
  if (!isPlainObject(workspace)) return [];
  const old = operation === 'UPDATE' ? field(oldObject, 'spec.workspace') : undefined;
  const stored = isPlainObject(old) ? old : {};
  const findings: Finding[] = [];
  const { size } = workspace;
  const asked = typeof size === 'string' ? parseQuantity(size) : undefined;
  if (asked && size !== stored.size) {
    // The larger of maxSize and size: the default size itself is never refused.
    const max = [config.workspace.maxSize, config.workspace.size]
      .flatMap((text) => {
        const value = text === undefined ? undefined : parseQuantity(text);
        return value && text !== undefined ? [{ text, value }] : [];
      })
      .reduce<{ text: string; value: Quantity } | undefined>(
        (a, b) => (a && compareQuantities(a.value, b.value) >= 0 ? a : b),
        undefined,
      );
    if (max && compareQuantities(asked, max.value) > 0)
      findings.push(
        error(
          RULE,
          'spec.workspace.size',
          `Forbidden: ${showValue(size)} exceeds ${showValue(max.text)}, the largest workspace runs may ask for (workspace.maxSize, default workspace.size); a larger workspace.maxSize would allow it`,
        ),
      );
  }
  const className = workspace.storageClassName;
  if (typeof className === 'string' && className !== stored.storageClassName) {
    const allowed = [config.workspace.storageClassName, ...config.workspace.allowedStorageClasses];
    if (!allowed.includes(className)) {
      const configured = config.workspace.storageClassName
        ? `workspace.storageClassName is ${showValue(config.workspace.storageClassName)}`
        : "the config leaves it to the cluster's default";
      findings.push(
        error(
          RULE,
          'spec.workspace.storageClassName',
          `Forbidden: runs may not choose StorageClass ${showValue(className)} (${configured}); workspace.allowedStorageClasses would allow it`,
        ),
      );
    }
  }
  return findings;
};
