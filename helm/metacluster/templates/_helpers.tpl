{{/*
Chart name, truncated to 63 characters (a DNS label).
*/}}
{{- define "metacluster.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Full name prefix of the release's resources. Truncated so that the longest suffix
("-coordinator", 12 characters) still fits a 63-character name.
*/}}
{{- define "metacluster.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 51 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 51 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 51 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "metacluster.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels of every resource.
*/}}
{{- define "metacluster.labels" -}}
helm.sh/chart: {{ include "metacluster.chart" . }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: metacluster
{{- if .Chart.AppVersion }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}
{{- end }}

{{/*
Selector labels of one component. Usage: include "metacluster.selectorLabels" (dict "ctx" $ "component" "worker")
*/}}
{{- define "metacluster.selectorLabels" -}}
app.kubernetes.io/name: {{ include "metacluster.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/*
All labels of one component's resources.
*/}}
{{- define "metacluster.componentLabels" -}}
{{ include "metacluster.labels" .ctx }}
{{ include "metacluster.selectorLabels" . }}
{{- end }}

{{/*
Orleans ids. The cluster id defaults to the release name.
*/}}
{{- define "metacluster.serviceId" -}}
{{- .Values.orleans.serviceId }}
{{- end }}

{{- define "metacluster.clusterId" -}}
{{- default .Release.Name .Values.orleans.clusterId | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Pod labels Orleans' Kubernetes hosting selects the cluster's silos by; only silo pods carry them.
*/}}
{{- define "metacluster.orleansLabels" -}}
orleans/serviceId: {{ include "metacluster.serviceId" . | quote }}
orleans/clusterId: {{ include "metacluster.clusterId" . | quote }}
{{- end }}

{{/*
Environment of an Orleans silo pod (coordinator and workers): Kubernetes hosting, the token, OTLP.
Usage: include "metacluster.siloEnv" (dict "ctx" $ "serviceName" "metacluster-worker")
*/}}
{{- define "metacluster.siloEnv" -}}
- name: POD_NAME
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: POD_NAMESPACE
  valueFrom:
    fieldRef:
      fieldPath: metadata.namespace
- name: POD_IP
  valueFrom:
    fieldRef:
      fieldPath: status.podIP
- name: ORLEANS_SERVICE_ID
  value: {{ include "metacluster.serviceId" .ctx | quote }}
- name: ORLEANS_CLUSTER_ID
  value: {{ include "metacluster.clusterId" .ctx | quote }}
{{- if eq .serviceName "metacluster-worker" }}
# A worker holds the workers' token only.
- name: CLUSTER_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ include "metacluster.secretName" .ctx }}
      key: {{ include "metacluster.workerSecretKey" .ctx }}
{{- else }}
- name: CLUSTER_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ include "metacluster.secretName" .ctx }}
      key: {{ include "metacluster.secretKey" .ctx }}
- name: CLUSTER_WORKER_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ include "metacluster.secretName" .ctx }}
      key: {{ include "metacluster.workerSecretKey" .ctx }}
{{- end }}
# A writable home on a read-only root file system (.NET and CUDA caches).
- name: HOME
  value: /tmp
{{- with .ctx.Values.otel }}
{{- if .endpoint }}
- name: OTEL_EXPORTER_OTLP_ENDPOINT
  value: {{ .endpoint | quote }}
- name: OTEL_EXPORTER_OTLP_PROTOCOL
  value: {{ .protocol | quote }}
{{- end }}
- name: OTEL_SERVICE_NAME
  value: {{ $.serviceName | quote }}
{{- $attributes := printf "k8s.pod.name=$(POD_NAME),k8s.namespace.name=$(POD_NAMESPACE),service.instance.id=$(POD_NAME),service.namespace=%s" (include "metacluster.serviceId" $.ctx) }}
{{- with .resourceAttributes }}
{{- $attributes = printf "%s,%s" $attributes . }}
{{- end }}
- name: OTEL_RESOURCE_ATTRIBUTES
  value: {{ $attributes | quote }}
{{- end }}
{{- end }}

{{/*
The Secret with the API token, and its key.
*/}}
{{- define "metacluster.secretName" -}}
{{- if .Values.auth.existingSecret }}
{{- .Values.auth.existingSecret }}
{{- else }}
{{- printf "%s-token" (include "metacluster.fullname" .) }}
{{- end }}
{{- end }}

{{- define "metacluster.secretKey" -}}
{{- if .Values.auth.existingSecret }}
{{- .Values.auth.existingSecretKey }}
{{- else -}}
token
{{- end }}
{{- end }}

{{/*
Key of the workers' token: the chart's Secret has its own; an existing Secret names it with
existingSecretWorkerKey, or workers share the users' key.
*/}}
{{- define "metacluster.workerSecretKey" -}}
{{- if .Values.auth.existingSecret }}
{{- default .Values.auth.existingSecretKey .Values.auth.existingSecretWorkerKey }}
{{- else -}}
workerToken
{{- end }}
{{- end }}

{{/*
Checksum of the chart's token Secret: a changed token rolls the pods that read it.
*/}}
{{- define "metacluster.secretChecksum" -}}
{{- include (print .Template.BasePath "/secret.yaml") . | sha256sum }}
{{- end }}

{{/*
ServiceAccount of the silo pods.
*/}}
{{- define "metacluster.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "metacluster.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
HOST:PORT of Redis (Orleans membership).
*/}}
{{- define "metacluster.redisAddress" -}}
{{- if .Values.redis.enabled }}
{{- printf "%s-redis:%d" (include "metacluster.fullname" .) (int .Values.redis.port) }}
{{- else if .Values.redis.address }}
{{- .Values.redis.address }}
{{- else }}
{{- fail "redis.enabled is false: set redis.address to HOST:PORT of the Redis the cluster uses for Orleans membership" }}
{{- end }}
{{- end }}

{{/*
Image references. Tags default to the chart's appVersion; the worker's carries the torch backend.
*/}}
{{- define "metacluster.imagePrefix" -}}
{{- with .Values.image.registry }}{{ trimSuffix "/" . }}/{{ end }}
{{- end }}

{{- define "metacluster.coordinatorImage" -}}
{{- $tag := default .Chart.AppVersion .Values.coordinator.image.tag }}
{{- printf "%s%s:%s" (include "metacluster.imagePrefix" .) .Values.coordinator.image.repository $tag }}
{{- end }}

{{- define "metacluster.torchBackend" -}}
{{- ternary "cuda" "cpu" .Values.gpu.enabled }}
{{- end }}

{{- define "metacluster.workerImage" -}}
{{- $tag := default (printf "%s-%s" .Chart.AppVersion (include "metacluster.torchBackend" .)) .Values.worker.image.tag }}
{{- printf "%s%s:%s" (include "metacluster.imagePrefix" .) .Values.worker.image.repository $tag }}
{{- end }}

{{- define "metacluster.imagePullSecrets" -}}
{{- with .Values.image.pullSecrets }}
imagePullSecrets:
{{- range . }}
  - name: {{ . }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Volume and mount of the read-only training data, when data.enabled.
*/}}
{{- define "metacluster.dataVolume" -}}
{{- if .Values.data.enabled }}
- name: data
{{- if .Values.data.existingClaim }}
  persistentVolumeClaim:
    claimName: {{ .Values.data.existingClaim }}
    readOnly: true
{{- else if .Values.data.hostPath }}
  hostPath:
    path: {{ .Values.data.hostPath }}
    type: Directory
{{- else }}
{{- fail "data.enabled is true: set data.existingClaim or data.hostPath" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "metacluster.dataMount" -}}
{{- if .Values.data.enabled }}
- name: data
  mountPath: {{ .Values.data.mountPath }}
  readOnly: true
{{- end }}
{{- end }}

{{/*
Prometheus scrape annotations. Usage: include "metacluster.scrapeAnnotations" (dict "ctx" $ "port" 9464)
*/}}
{{- define "metacluster.scrapeAnnotations" -}}
{{- if .ctx.Values.metrics.podAnnotations }}
prometheus.io/scrape: "true"
prometheus.io/port: {{ .port | quote }}
prometheus.io/path: /metrics
{{- end }}
{{- end }}
