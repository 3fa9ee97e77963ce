// The Function App on Flex Consumption (FC1), Python 3.11, running as the user-assigned
// managed identity. Every setting of shared/config.py (Settings fields and HOST_SETTINGS) is
// set below or listed in optionalSettings; tests/unit/test_infra.py enforces that.
param name string
param planName string
param location string
param tags object = {}
param identityResourceId string
param identityClientId string
param storageName string
param storageBlobEndpoint string
param deploymentContainerUrl string
param claimCheckContainer string
param serviceBusFqdn string
param appInsightsConnectionString string
@allowed([ 'cosmos', 'postgres' ])
param stateStore string
param cosmosEndpoint string = ''
param cosmosDatabase string = 'openalert'
param postgresHost string = ''
param postgresDatabase string = 'openalert'
param identityName string
param keyVaultUri string
param entraTenantId string = subscription().tenantId
param entraClientId string = ''
@description('Microsoft App ID of the Azure Bot (the managed identity client id when the bot is deployed); empty disables the Teams bot.')
param botAppId string = ''
param logLevel string = 'INFO'
@description('CIDRs and host names, comma-separated, that user-configured webhooks may call although they are not public addresses (VNet-integrated deployments); empty: public addresses only.')
param outboundAllow string = ''
param durableTaskHub string = 'openalert'
@allowed([ 2048, 4096 ])
param instanceMemoryMB int = 2048
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100
@description('Always-ready instances for the http trigger group (0 = scale from zero).')
param alwaysReadyHttp int = 0
@description('Always-ready instances for the durable trigger group (escalation timers).')
param alwaysReadyDurable int = 1
@description('https://<resource>.communication.azure.com of the ACS resource the identity holds a role on; empty: set ACS_ENDPOINT by hand if used.')
param acsEndpoint string = ''
@description('https://<host> of the web console: notification links point at <it>/incidents/<id>; empty: the function app itself.')
param consoleBaseUrl string = ''
@description('Origins, comma-separated, allowed to call /api/v1 from a browser (CORS in the app, ETag exposed); the console\'s.')
param consoleOrigins string = ''

// Settings deliberately not set in Azure; their defaults are right there or they only serve
// local runs. Read by tests/unit/test_infra.py — one entry per line, "NAME: why".
var optionalSettings = [
  'SQLITE_PATH: the embedded store is for local runs only'
  'COSMOS_KEY: emulator only; the managed identity is used in Azure'
  'COSMOS_EMULATOR: emulator only, default false'
  'INGEST_MAX_BODY_BYTES: default 1 MiB'
  'CLAIMCHECK_THRESHOLD_BYTES: default 192 KiB, below the Standard message cap'
  'CATALOG_CACHE_SECONDS: default 10 s'
  'ENTRA_AUTHORITY: default https://login.microsoftonline.com'
  'ENTRA_ALLOWED_AUDIENCES: default none beyond ENTRA_CLIENT_ID'
  'DEVHOST_IDP_ENABLED: devhost only, never in Azure'
  'AzureWebJobsStorage: set identity-based as AzureWebJobsStorage__accountName'
  'ServiceBusConnection: set identity-based as ServiceBusConnection__fullyQualifiedNamespace'
  'FUNCTIONS_WORKER_RUNTIME: Flex Consumption takes it from functionAppConfig.runtime'
  'NOTIFY_BUNDLE_SECONDS: default 30 s'
  'NOTIFY_CONSOLE_SHOWS_CODES: devhost only (verification codes in the log), never in Azure'
  'SMTP_HOST: e-mail over SMTP is opt-in (set with the other SMTP_* settings after deployment)'
  'SMTP_PORT: default 587'
  'SMTP_USERNAME: opt-in with SMTP_HOST'
  'SMTP_PASSWORD: opt-in with SMTP_HOST, as a Key Vault reference'
  'SMTP_STARTTLS: default true'
  'SMTP_FROM: opt-in with SMTP_HOST'
  'ACS_ACCESS_KEY: local runs only; the managed identity is used in Azure'
  'ACS_EMAIL_SENDER: opt-in with ACS_ENDPOINT'
  'ACS_SMS_FROM: opt-in with ACS_ENDPOINT'
  'ACS_VOICE_FROM: opt-in with ACS_ENDPOINT (a number with calling enabled)'
  'ACS_COGNITIVE_SERVICES_ENDPOINT: opt-in with ACS_VOICE_FROM (the AI services resource connected to ACS)'
  'VOICE_CALLBACK_BASE_URL: default PUBLIC_BASE_URL, which is the app itself in Azure'
  'ACS_CALLBACK_AUDIENCE: opt-in with ACS_VOICE_FROM: the ACS resource immutable id, to require Call Automation JWTs on callbacks'
  'ACS_CALLBACK_ISSUER: default the Call Automation issuer'
  'ACS_CALLBACK_OPENID_METADATA_URL: default the Call Automation OpenID metadata'
  'OUTBOUND_ALLOW_HTTP: development only, never in Azure (webhooks must be https)'
  'BOT_TENANT_ID: default ENTRA_TENANT_ID'
  'BOT_OPENID_METADATA_URL: default Bot Framework metadata'
  'BOT_ISSUER: default https://api.botframework.com'
  'STATUS_NOTIFY_BUNDLE_SECONDS: default 120 s'
]

resource plan 'Microsoft.Web/serverfarms@2023-12-01' = {
  // checkov:skip=CKV_AZURE_225:Flex Consumption (FC1) has no zone-redundancy setting on the plan; it scales per execution
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: { tier: 'FlexConsumption', name: 'FC1' }
  properties: { reserved: true }
}

// Per trigger group ('http', 'durable'); a group with 0 is left out so it scales from zero.
var alwaysReadyHttpList = alwaysReadyHttp > 0 ? [ { name: 'http', instanceCount: alwaysReadyHttp } ] : []
var alwaysReadyDurableList = alwaysReadyDurable > 0 ? [ { name: 'durable', instanceCount: alwaysReadyDurable } ] : []
var alwaysReady = concat(alwaysReadyHttpList, alwaysReadyDurableList)

// Entra user name for Postgres is the identity's name; the password is a token at connect time.
var postgresDsn = stateStore == 'postgres' ? 'host=${postgresHost} dbname=${postgresDatabase} user=${identityName} sslmode=require' : ''

var baseSettings = {
  // Host storage, identity-based (no connection string).
  AzureWebJobsStorage__accountName: storageName
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  ServiceBusConnection__fullyQualifiedNamespace: serviceBusFqdn
  ServiceBusConnection__credential: 'managedidentity'
  ServiceBusConnection__clientId: identityClientId
  // DefaultAzureCredential in our code picks the user-assigned identity by this client id.
  AZURE_CLIENT_ID: identityClientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: appInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
  LOG_LEVEL: logLevel
  // Flex Consumption may assign a regional host name, so take it from the site.
  PUBLIC_BASE_URL: 'https://${site.properties.defaultHostName}'
  CONSOLE_BASE_URL: consoleBaseUrl
  // CORS is answered by the app (shared/api/cors.py): platform CORS cannot expose ETag and
  // would override it, so siteConfig.cors is deliberately not set.
  CONSOLE_ORIGINS: consoleOrigins
  DURABLE_TASK_HUB: durableTaskHub
  STORE_BACKEND: stateStore
  POSTGRES_DSN: postgresDsn
  COSMOS_ENDPOINT: cosmosEndpoint
  COSMOS_DATABASE: cosmosDatabase
  CLAIMCHECK_CONTAINER: claimCheckContainer
  CLAIMCHECK_ACCOUNT_URL: storageBlobEndpoint
  ENTRA_TENANT_ID: entraTenantId
  ENTRA_CLIENT_ID: entraClientId
  BOT_APP_ID: botAppId
  OUTBOUND_ALLOW: outboundAllow
  KEY_VAULT_URI: keyVaultUri
  ACS_ENDPOINT: acsEndpoint
  // Signs status-page subscriber links; the secret is created once in the vault
  // (docs/status-pages.md). Unresolved, the app refuses sign-ups rather than sign with it.
  STATUS_TOKEN_SECRET: '@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/status-token-secret)'
}

resource site 'Microsoft.Web/sites@2023-12-01' = {
  // checkov:skip=CKV_AZURE_222:the ingest, Teams bot and status endpoints must be reachable by Azure Monitor, Grafana and Teams over the internet; every route authenticates (Entra, integration key or bot token)
  // checkov:skip=CKV_AZURE_17:callers (Azure Monitor, Grafana, Bot Framework) cannot present client certificates; requests authenticate with Entra tokens or integration keys
  // checkov:skip=CKV_AZURE_78:Flex Consumption has no FTP/FTPS endpoint and rejects siteConfig.ftpsState; code is deployed only from the identity-authenticated blob container
  // checkov:skip=CKV_AZURE_212:Flex Consumption scales by executions; always-ready instances are the parameters alwaysReadyHttp (default 0) and alwaysReadyDurable (default 1, for escalation timers)
  name: name
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identityResourceId}': {} }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identityResourceId
    siteConfig: {
      minTlsVersion: '1.2'
      http20Enabled: true
      healthCheckPath: '/api/health'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityResourceId
          }
        }
      }
      scaleAndConcurrency: {
        alwaysReady: alwaysReady
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: { name: 'python', version: '3.11' }
    }
  }
}

// FUNCTIONS_WORKER_RUNTIME is implied by functionAppConfig.runtime on Flex Consumption and
// must not be set as an app setting there (see optionalSettings).
resource settings 'Microsoft.Web/sites/config@2023-12-01' = {
  // checkov:skip=CKV_AZURE_66:this is the appsettings config, not web config; logs go to Application Insights
  // checkov:skip=CKV_AZURE_63:this is the appsettings config, not web config; logs go to Application Insights
  // checkov:skip=CKV_AZURE_65:this is the appsettings config; detailed errors would leak internals, problem+json is returned instead
  // checkov:skip=CKV_AZURE_222:this is the appsettings config; public access is justified on the site resource
  // checkov:skip=CKV_AZURE_80:Python app, no .NET Framework
  // checkov:skip=CKV_AZURE_13:authentication is done in the app (Entra JWT validation per route, shared/auth) because ingest routes use integration keys that Easy Auth cannot express
  // checkov:skip=CKV_AZURE_88:Flex Consumption deploys from the blob container; no Azure Files share is used
  parent: site
  name: 'appsettings'
  properties: baseSettings
}

output name string = site.name
output hostName string = site.properties.defaultHostName
output optionalSettings array = optionalSettings
