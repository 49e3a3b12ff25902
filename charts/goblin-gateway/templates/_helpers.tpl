{{/* Names and labels. */}}
{{- define "goblin-gateway.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "goblin-gateway.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "goblin-gateway.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "goblin-gateway.selectorLabels" -}}
app.kubernetes.io/name: {{ include "goblin-gateway.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: {{ .Values.mode }}
{{- end }}

{{- define "goblin-gateway.labels" -}}
helm.sh/chart: {{ include "goblin-gateway.chart" . }}
{{ include "goblin-gateway.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: goblin-gateway
{{- end }}

{{- define "goblin-gateway.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "goblin-gateway.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "goblin-gateway.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{- define "goblin-gateway.auditKeysConfigMap" -}}
{{- default (printf "%s-audit-keys" (include "goblin-gateway.fullname" .)) .Values.audit.existingKeysConfigMap }}
{{- end }}

{{/* Checks of combinations that cannot work; rendered (as nothing) by every template that depends on them. */}}
{{- define "goblin-gateway.validate" -}}
{{- if not (has .Values.mode (list "gateway" "sidecar")) }}
{{- fail (printf "mode: was %q but it must be gateway or sidecar" .Values.mode) }}
{{- end }}
{{- if and .Values.persistence.enabled (gt (int .Values.replicaCount) 1) }}
{{- fail "persistence.enabled with replicaCount > 1: every replica needs its own audit store and queue directory, and a ReadWriteOnce claim cannot be shared; run one release per replica or use emptyDir" }}
{{- end }}
{{- if and .Values.tls.enabled (not .Values.tls.secretName) }}
{{- fail "tls.enabled: tls.secretName is required (a kubernetes.io/tls Secret)" }}
{{- end }}
{{- if and .Values.apiKeys.enabled (not .Values.apiKeys.secretName) }}
{{- fail "apiKeys.enabled: apiKeys.secretName is required (a Secret holding api-keys.yaml)" }}
{{- end }}
{{- if not (kindIs "map" .Values.config) }}
{{- fail "config: must be a map (the gateway's Collector-shaped config)" }}
{{- end }}
{{- end }}

{{/*
The central gateway's config: .Values.config with tls / apiKeys wired into every OTLP protocol that is configured.
*/}}
{{- define "goblin-gateway.gatewayConfig" -}}
{{- $cfg := deepCopy .Values.config }}
{{- $protocols := dict }}
{{- $receivers := get $cfg "receivers" }}
{{- if kindIs "map" $receivers }}
{{- $otlp := get $receivers "otlp" }}
{{- if kindIs "map" $otlp }}
{{- if not (hasKey $otlp "protocols") }}
{{- $_ := set $otlp "protocols" (dict "grpc" (dict) "http" (dict)) }}
{{- end }}
{{- $protocols = get $otlp "protocols" }}
{{- end }}
{{- end }}
{{- range $name := list "grpc" "http" }}
{{- if hasKey $protocols $name }}
{{- $p := get $protocols $name }}
{{- if not (kindIs "map" $p) }}
{{- $p = dict }}
{{- $_ := set $protocols $name $p }}
{{- end }}
{{- if $.Values.tls.enabled }}
{{- $tls := dict "cert_file" "/etc/goblin-gateway/tls/tls.crt" "key_file" "/etc/goblin-gateway/tls/tls.key" "min_version" (toString $.Values.tls.minVersion) }}
{{- if $.Values.tls.clientCa }}
{{- $_ := set $tls "client_ca_file" "/etc/goblin-gateway/tls/ca.crt" }}
{{- end }}
{{- $_ := set $p "tls" $tls }}
{{- end }}
{{- if $.Values.apiKeys.enabled }}
{{- $_ := set $p "auth" (dict "authenticator" "apikeyauth") }}
{{- end }}
{{- end }}
{{- end }}
{{- if .Values.apiKeys.enabled }}
{{- $ext := default dict (get $cfg "extensions") }}
{{- $_ := set $ext "apikeyauth" (dict "keys_file" (printf "/etc/goblin-gateway/api-keys/%s" .Values.apiKeys.key)) }}
{{- $_ := set $cfg "extensions" $ext }}
{{- $svc := get $cfg "service" }}
{{- $_ := set $svc "extensions" (append (default list (get $svc "extensions")) "apikeyauth" | uniq) }}
{{- end }}
{{- toYaml $cfg }}
{{- end }}

{{/* host:port the sidecars forward to. */}}
{{- define "goblin-gateway.sidecarGatewayEndpoint" -}}
{{- if .Values.sidecar.gatewayEndpoint }}
{{- .Values.sidecar.gatewayEndpoint }}
{{- else }}
{{- printf "%s.%s.svc.cluster.local:%v" (include "goblin-gateway.fullname" .) .Release.Namespace .Values.ports.otlpGrpc }}
{{- end }}
{{- end }}
