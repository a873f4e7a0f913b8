{{/* Names and labels shared by the chart's templates. */}}

{{- define "fleetscope.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Base name of every object: the release name, plus the chart name unless already in it. */}}
{{- define "fleetscope.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 50 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 50 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 50 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "fleetscope.selectorLabels" -}}
app.kubernetes.io/name: {{ include "fleetscope.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end }}

{{- define "fleetscope.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "fleetscope.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: fleetscope
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "fleetscope.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "fleetscope.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "fleetscope.webhookService" -}}
{{- printf "%s-webhook" (include "fleetscope.fullname" .) }}
{{- end }}

{{- define "fleetscope.webhookConfigName" -}}
{{- default (include "fleetscope.fullname" .) .Values.webhook.configurationName }}
{{- end }}

{{- define "fleetscope.certSecretName" -}}
{{- default (printf "%s-webhook-tls" (include "fleetscope.fullname" .)) .Values.certificates.secretName }}
{{- end }}

{{- define "fleetscope.certificateName" -}}
{{- printf "%s-webhook" (include "fleetscope.fullname" .) }}
{{- end }}

{{/* The Lease name is fixed in the operator (operator/manager.ts). */}}
{{- define "fleetscope.leaseName" -}}
fleetscope-operator
{{- end }}

{{- define "fleetscope.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* DNS names of the webhook Service, as the operator puts them in its certificate. */}}
{{- define "fleetscope.serviceDNSNames" -}}
{{- $svc := include "fleetscope.webhookService" . }}
- {{ $svc }}
- {{ $svc }}.{{ .Release.Namespace }}
- {{ $svc }}.{{ .Release.Namespace }}.svc
- {{ $svc }}.{{ .Release.Namespace }}.svc.cluster.local
{{- end }}
