// One variable of a container's environment, as the pod spec holds it: a value, or a Secret key by
// reference (the operator never copies a Secret's value).
export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef: { name: string; key: string; optional?: boolean } };
}
