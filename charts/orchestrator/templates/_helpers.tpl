{{- /* Helpers of the orchestrator chart. */ -}}

{{- /*
The prefix of the release's cluster-scoped objects (ClusterRoles and their bindings, the webhook
configurations) and of the RoleBindings it makes in other namespaces: fullnameOverride, else the
release's name when it holds "orchestrator", else "<release>-orchestrator". The release "orchestrator"
gets the kustomize install's names; two releases in two namespaces get two sets. Namespaced objects
keep the kustomize install's names in the release's namespace (the manager, the certificate tooling and
the agents find them by those names).
*/ -}}
{{- define "orchestrator.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else if contains "orchestrator" .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-orchestrator" .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- /* A cluster-scoped object's name: (list $ SUFFIX) → "<fullname>-SUFFIX". */ -}}
{{- define "orchestrator.clusterName" -}}
{{- printf "%s-%s" (include "orchestrator.fullname" (index . 0)) (index . 1) -}}
{{- end -}}

{{- /*
The standard labels of every object the chart renders (Helm's and Kubernetes' recommended ones): the
chart's name, the release, the app's version, Helm, and the chart with its version. Never in a
selector: the version and chart change with each upgrade, and selectors cannot.
*/ -}}
{{- define "orchestrator.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name | quote }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- /*
An object's labels with the standard ones: (list $ LABELS), as YAML. The standard labels win, but an
object's own app.kubernetes.io/name stays (the egress proxy's is orchestrator-egress-proxy).
*/ -}}
{{- define "orchestrator.withLabels" -}}
{{- $own := index . 1 | default dict -}}
{{- $labels := include "orchestrator.labels" (index . 0) | fromYaml -}}
{{- with index $own "app.kubernetes.io/name" }}{{ $_ := set $labels "app.kubernetes.io/name" . }}{{ end -}}
{{- merge $labels $own | toYaml -}}
{{- end -}}

{{- /*
The labels that select the manager's pods (the Deployment, its Services, the PodDisruptionBudget, the
NetworkPolicies): the kustomize install's, never changed by an upgrade (a Deployment's selector is
immutable).
*/ -}}
{{- define "orchestrator.selectorLabels" -}}
app.kubernetes.io/name: orchestrator
app.kubernetes.io/component: manager
{{- end -}}

{{- /* The manager's ServiceAccount: serviceAccount.name, else orchestrator (the kustomize install's). */ -}}
{{- define "orchestrator.serviceAccountName" -}}
{{- .Values.serviceAccount.name | default "orchestrator" -}}
{{- end -}}

{{- /*
The manager's image: [registry/]repository then @digest, or :tag (default the chart's appVersion).
global.imageRegistry, when set, is the registry of every image of an umbrella chart.
*/ -}}
{{- define "orchestrator.image" -}}
{{- $registry := .Values.global.imageRegistry | default .Values.image.registry -}}
{{- $name := ternary (printf "%s/%s" $registry .Values.image.repository) .Values.image.repository (ne $registry "") -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" $name .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" $name (.Values.image.tag | default .Chart.AppVersion | toString) -}}
{{- end -}}
{{- end -}}

{{- /* Whether the PodDisruptionBudget is rendered: podDisruptionBudget.enabled, or (unset) replicas > 1. */ -}}
{{- define "orchestrator.pdbEnabled" -}}
{{- if kindIs "bool" .Values.podDisruptionBudget.enabled -}}
{{- ternary "true" "" .Values.podDisruptionBudget.enabled -}}
{{- else if gt (int .Values.replicas) 1 -}}
true
{{- end -}}
{{- end -}}

{{- /*
A generated ConfigMap's data: (list $ NAME). The controller config is rendered from the values; the
others are the chart's files/NAME/ as they are (copies of templates/ and config/ made by npm run
generate).
*/ -}}
{{- define "orchestrator.configMapData" -}}
{{- $root := index . 0 -}}
{{- $name := index . 1 -}}
{{- if eq $name "orchestrator-config" -}}
{{- dict "controller-config.yaml" (include "orchestrator.controllerConfig" $root) | toYaml -}}
{{- else -}}
{{- ($root.Files.Glob (printf "files/%s/*" $name)).AsConfig -}}
{{- end -}}
{{- end -}}

{{- /* The run templates' ConfigMaps (files/orchestrator-templates*), sorted: one per templates/ folder. */ -}}
{{- define "orchestrator.templateConfigMaps" -}}
{{- $names := dict -}}
{{- range $path, $_ := .Files.Glob "files/orchestrator-templates*/*" -}}
{{- $_ := set $names (base (dir $path)) true -}}
{{- end -}}
{{- keys $names | sortAlpha | toJson -}}
{{- end -}}

{{- /*
The name of a ConfigMap that kustomize's configMapGenerator hashes: (list $ NAME). kustomize appends
the first 10 hex digits of the sha256 of {"data","kind","name"} as Go's JSON, with 0 1 3 a e spelled
g h k m t (sigs.k8s.io/kustomize/api/hasher). Its "name" is always "": the hasher looks the name up
as one key named "metadata/name", which no object has. Computed the same way here, so the names
equal the kustomize install's and a changed config or template rolls the pods.
*/ -}}
{{- define "orchestrator.configMapName" -}}
{{- $root := index . 0 -}}
{{- $name := index . 1 -}}
{{- /* toYaml and AsConfig drop the text's last newline, and with it a block scalar's: put it back. */ -}}
{{- $data := include "orchestrator.configMapData" (list $root $name) | printf "%s\n" | fromYaml -}}
{{- $hex := dict "data" $data "kind" "ConfigMap" "name" "" | toJson | sha256sum | trunc 10 -}}
{{- printf "%s-%s" $name ($hex | replace "0" "g" | replace "1" "h" | replace "3" "k" | replace "a" "m" | replace "e" "t") -}}
{{- end -}}

{{- /*
The controller config: the shipped file as it is, or, when values change it, the file's fields with
.Values.config, .Values.gateway and .Values.egress (as the config's gateway and egress fields; off in
values turns either off, and the egress proxy is the release's), .Values.agents (as `agents`, a
system prompt given as text under systemPrompt moved to systemPromptText) and .Values.watchNamespaces
merged over them.
*/ -}}
{{- define "orchestrator.controllerConfig" -}}
{{- $file := .Files.Get "files/orchestrator-config/controller-config.yaml" -}}
{{- $gatewayMoved := or .Values.gateway.upstreamUrl (ne .Values.gateway.apiKeySecret "orchestrator-model-api-key") .Values.gateway.clusterIP -}}
{{- $elsewhere := ne .Release.Namespace "orchestrator-system" -}}
{{- if or .Values.config .Values.agents .Values.watchNamespaces (not .Values.gateway.enabled) (not .Values.egress.enabled) $gatewayMoved $elsewhere -}}
{{- $config := fromYaml $file -}}
{{- $config = mergeOverwrite $config (deepCopy .Values.config) -}}
{{- $egress := $config.egress | default dict -}}
{{- $_ := set $egress "enabled" (and .Values.egress.enabled (ne $egress.enabled false)) -}}
{{- if and $egress.enabled $elsewhere -}}
{{- $_ = set $egress "proxy" (merge (dict "namespace" .Release.Namespace) ($egress.proxy | default dict)) -}}
{{- end -}}
{{- $_ = set $config "egress" $egress -}}
{{- if not .Values.gateway.enabled -}}
{{- $_ = set $config "gateway" (merge (dict "enabled" false) ($config.gateway | default dict)) -}}
{{- $_ = set $config.gateway "enabled" false -}}
{{- else -}}
{{- $gateway := $config.gateway | default dict -}}
{{- $upstream := $gateway.upstream | default dict -}}
{{- /* config.gateway.enabled: false in values (an install from before the gateway) stays off. */ -}}
{{- $_ := set $gateway "enabled" (ne $gateway.enabled false) -}}
{{- /* The Service of config/gateway (its name and port), in the release's namespace; by its address when fixed. */ -}}
{{- $host := .Values.gateway.clusterIP | default (printf "orchestrator-gateway.%s.svc" $.Release.Namespace) -}}
{{- if contains ":" $host }}{{ $host = printf "[%s]" $host }}{{ end -}}
{{- $_ = set $gateway "url" (printf "http://%s:8090" $host) -}}
{{- with .Values.gateway.upstreamUrl }}{{ $_ = set $upstream "url" . }}{{ end -}}
{{- $_ = set $upstream "apiKey" (dict "name" .Values.gateway.apiKeySecret "key" (($upstream.apiKey | default dict).key | default "api-key")) -}}
{{- $_ = set $gateway "upstream" $upstream -}}
{{- $_ = set $config "gateway" $gateway -}}
{{- end -}}
{{- if .Values.agents -}}
{{- $agents := deepCopy .Values.agents -}}
{{- /* The seeds' values give a profile's system prompt as text under systemPrompt (seed 004), which
the config names systemPromptText; a template's name (a DNS label) stays systemPrompt. */ -}}
{{- range $name, $agent := $agents -}}
{{- if and (kindIs "map" $agent) (kindIs "string" $agent.systemPrompt) -}}
{{- if not (regexMatch "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$" $agent.systemPrompt) -}}
{{- $_ := set $agent "systemPromptText" $agent.systemPrompt -}}
{{- $_ = unset $agent "systemPrompt" -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- $_ := set $config "agents" (mergeOverwrite (deepCopy $config.agents) $agents) -}}
{{- end -}}
{{- with .Values.watchNamespaces -}}
{{- $_ := set $config "watchNamespaces" . -}}
{{- end -}}
{{- toYaml $config -}}
{{- else -}}
{{- $file -}}
{{- end -}}
{{- end -}}

{{- /*
The agent profiles the editor roles may `use`: (list $ SHIPPED), those of the shipped config's list
(scripts/generate-user-roles.js) that the rendered controller config, values included, does not
restrict (restricted, or clusterAccess): values may narrow the list, never leave a restricted profile
in every editor's hands. An empty list would grant every name, so the install fails instead.
*/ -}}
{{- define "orchestrator.editorProfiles" -}}
{{- $root := index . 0 -}}
{{- $agents := (include "orchestrator.controllerConfig" $root | fromYaml).agents | default dict -}}
{{- $names := list -}}
{{- range $name := index . 1 -}}
{{- $profile := index $agents $name | default dict -}}
{{- if not (or $profile.restricted $profile.clusterAccess) -}}
{{- $names = append $names $name -}}
{{- end -}}
{{- end -}}
{{- if not $names -}}
{{- fail "agents: every profile the editor roles grant is restricted or has clusterAccess; leave one unrestricted (an empty resourceNames would grant them all)" -}}
{{- end -}}
{{- toYaml $names -}}
{{- end -}}

{{- /*
Where the webhook port is admitted from: an ipBlock per address of the rendered config's
connections.trustedSources (a bare address as its /32 or /128), or nothing (from anywhere) when it
names none, since no default address is the apiserver's on every cluster.
*/ -}}
{{- define "orchestrator.webhookFrom" -}}
{{- $connections := (include "orchestrator.controllerConfig" . | fromYaml).connections | default dict -}}
{{- range $connections.trustedSources }}
- ipBlock:
    cidr: {{ if contains "/" . }}{{ . }}{{ else if contains ":" . }}{{ . }}/128{{ else }}{{ . }}/32{{ end }}
{{- end -}}
{{- end -}}

{{- /*
The namespaces whose runs the release's webhooks admit: webhook.namespaceSelector, else the namespaces
the release reconciles, by name (watchNamespaces, the config's watchNamespaces or watchNamespace);
nothing (every namespace) otherwise. YAML, read back with fromYaml.
*/ -}}
{{- define "orchestrator.webhookNamespaceSelector" -}}
{{- $config := .Values.config | default dict -}}
{{- $names := .Values.watchNamespaces | default $config.watchNamespaces | default (compact (list $config.watchNamespace)) -}}
{{- if .Values.webhook.namespaceSelector -}}
{{ toYaml .Values.webhook.namespaceSelector }}
{{- else if $names -}}
matchExpressions:
  - key: kubernetes.io/metadata.name
    operator: In
    values: {{ toJson $names }}
{{- end -}}
{{- end -}}

{{- /* Rules between values that values.schema.json cannot say; rendered once, it prints nothing. */ -}}
{{- define "orchestrator.validate" -}}
{{- if and .Values.certManager.enabled .Values.webhook.caBundle -}}
{{- fail "webhook.caBundle: must be empty with certManager.enabled (cert-manager's cainjector writes the caBundle)" -}}
{{- end -}}
{{- $api := include "orchestrator.apiPort" . | int -}}
{{- if has (int .Values.webhook.port) (list 8080 8081 $api 8090) -}}
{{- fail (printf "webhook.port: %v is another port of the pods (8080 metrics, 8081 health, %v api, 8090 gateway)" .Values.webhook.port $api) -}}
{{- end -}}
{{- if has $api (list 8080 8081 8090) -}}
{{- fail (printf "the REST API's port %v (extraEnv SERVER_PORT, else config.api.bindAddress) is another port of the pods (8080 metrics, 8081 health, 8090 gateway)" $api) -}}
{{- end -}}
{{- if and .Values.watchNamespaces (or .Values.config.watchNamespace .Values.config.namespaceSelector) -}}
{{- fail "watchNamespaces: exclusive with config.watchNamespace and config.namespaceSelector" -}}
{{- end -}}
{{- with .Values.githubWebhook.ingress -}}
{{- if and .enabled (not .host) -}}
{{- fail "githubWebhook.ingress.host: required with githubWebhook.ingress.enabled (the public host GitHub posts to)" -}}
{{- end -}}
{{- end -}}
{{- with .Values.githubWebhook.httpRoute -}}
{{- if and .enabled (not .host) -}}
{{- fail "githubWebhook.httpRoute.host: required with githubWebhook.httpRoute.enabled (the public host GitHub posts to)" -}}
{{- end -}}
{{- if and .enabled (not .parentRefs) -}}
{{- fail "githubWebhook.httpRoute.parentRefs: required with githubWebhook.httpRoute.enabled (your Gateway)" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- /*
An agent NetworkPolicy's `except` list: (list $ IPV6 SHIPPED), the shipped ranges of one family, then
the CIDRs of .Values.agentSandbox.deniedEgress of that family (IPv6: those with a colon).
*/ -}}
{{- define "orchestrator.egressExcept" -}}
{{- $ipv6 := index . 1 -}}
{{- $out := index . 2 -}}
{{- range (index . 0).Values.agentSandbox.deniedEgress -}}
{{- if eq (contains ":" .) $ipv6 }}{{ $out = append $out . }}{{ end -}}
{{- end -}}
{{- toYaml $out -}}
{{- end -}}

{{- /*
The Secrets of the GitHub Apps the rendered config names (githubApps and every profile's githubApp),
sorted, as JSON: each App's name in lower case put into the config's secrets.githubAppId and
secrets.githubAppPrivateKey names ("github-app-{githubApp}"), as scripts/generate-app-keys-role.js
does for the kustomize install.
*/ -}}
{{- define "orchestrator.appKeySecrets" -}}
{{- $config := include "orchestrator.controllerConfig" . | fromYaml -}}
{{- $apps := $config.githubApps | default list -}}
{{- range $_, $agent := $config.agents | default dict -}}
{{- with $agent.githubApp }}{{ $apps = append $apps . }}{{ end -}}
{{- end -}}
{{- $secrets := $config.secrets | default dict -}}
{{- $names := list -}}
{{- range $app := $apps -}}
{{- range $ref := list $secrets.githubAppId $secrets.githubAppPrivateKey -}}
{{- with $ref }}{{ $names = append $names (replace "{githubApp}" (lower $app) .name) }}{{ end -}}
{{- end -}}
{{- end -}}
{{- $names | uniq | sortAlpha | toJson -}}
{{- end -}}

{{- /*
"true" when the operator issues and rotates its webhook certificate itself (docs/decisions/0075):
neither cert-manager nor a caBundle of yours is given. kustomize: config/self-managed-certificate.
*/ -}}
{{- define "orchestrator.selfManagedCertificate" -}}
{{- if not (or .Values.certManager.enabled .Values.webhook.caBundle) }}true{{ end -}}
{{- end -}}

{{/*
The egress proxy's image, given the shipped one (config/egress, `ghcr.io/…:VERSION`): egress.image when
set, else the shipped one on global.imageRegistry when that is set, else the shipped one.
*/}}
{{- define "orchestrator.egressImage" -}}
{{- $root := index . 0 -}}
{{- $shipped := index . 1 -}}
{{- if $root.Values.egress.image -}}
{{- $root.Values.egress.image -}}
{{- else if $root.Values.global.imageRegistry -}}
{{- printf "%s/%s" $root.Values.global.imageRegistry (regexReplaceAll "^[^/]+/" $shipped "") -}}
{{- else -}}
{{- $shipped -}}
{{- end -}}
{{- end }}

{{- /*
The REST API's container port: the seed's SERVER_PORT when extraEnv sets it (the manager reads it over
the config, src/config/env-overrides.ts; SERVER_HOST needs nothing here), else the port of the controller config's api.bindAddress; the
Service reaches it by the port's name, so a moved listener stays reachable.
*/ -}}
{{- define "orchestrator.apiPort" -}}
{{- $config := include "orchestrator.controllerConfig" . | fromYaml -}}
{{- $port := (($config.api | default dict).bindAddress | default ":8443" | toString | splitList ":" | last) -}}
{{- range .Values.extraEnv }}{{ if eq .name "SERVER_PORT" }}{{ $port = .value | toString }}{{ end }}{{ end -}}
{{- /* "0" turns the API off: the port stays named, for the Service, with nothing behind it. */ -}}
{{- if eq $port "0" }}{{ $port = "8443" }}{{ end -}}
{{- $port -}}
{{- end -}}
