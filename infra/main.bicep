// OpenAlert: everything an organisation needs in one resource group. Identity-based throughout:
// no connection strings, account keys or SAS anywhere.
targetScope = 'resourceGroup'

@description('azd environment name (AZURE_ENV_NAME, up to 64 characters): tags the resources and seeds their names.')
@minLength(1)
@maxLength(64)
param environmentName string
param location string = resourceGroup().location
@allowed([ 'cosmos', 'postgres' ])
param stateStore string = 'cosmos'
@allowed([ 'Standard', 'Premium' ])
param serviceBusSku string = 'Standard'
@allowed([ 2048, 4096 ])
param instanceMemoryMB int = 2048
param maximumInstanceCount int = 100
param alwaysReadyHttp int = 0
@description('Always-ready instances for the durable trigger group: 1 keeps escalation timers and orchestrations on a warm instance (docs/deploy.md states its monthly cost); 0 scales it from zero.')
param alwaysReadyDurable int = 1
@description('Days claim-checked alert bodies are kept.')
param claimCheckRetentionDays int = 14
@description('Application (client) id of the OpenAlert API app registration (token audience).')
param entraClientId string = ''
param deployBot bool = true
@description('CIDRs and host names, comma-separated, that user-configured webhooks may call although they are not public addresses (VNet-integrated deployments); empty: public addresses only.')
param outboundAllow string = ''
@description('Name of an existing Azure Communication Services resource in this resource group: the app identity gets Contributor on it (the role Microsoft documents for Entra-authenticated SMS) and ACS_ENDPOINT is set. Empty: no ACS, or grant the role by hand (docs/deploy.md).')
param acsName string = ''
@description('Deploy the web console as a Static Web App (service \'web\' in azure.yaml).')
param deployConsole bool = true
@description('Region of the console\'s Static Web App (a Static Web Apps region; the content is served from the edge anyway).')
@allowed([ 'westus2', 'centralus', 'eastus2', 'westeurope', 'eastasia' ])
param consoleLocation string = 'westeurope'
@description('More browser origins allowed to call the API, comma-separated (a custom domain of the console, say).')
param consoleExtraOrigins string = ''
@description('\'recover\' re-provisions into an environment whose Key Vault was soft-deleted by `azd down` (purge protection keeps the name for 90 days); docs/deploy.md.')
@allowed([ 'default', 'recover' ])
param keyVaultCreateMode string = 'default'

// Names: a type abbreviation and a 13-character token from subscription, resource group and
// environment, so they are unique, deterministic (redeploys hit the same resources) and fit
// every type's length and character rules whatever the environment name;
// tests/unit/test_infra_names.py checks each against its type's limits.
var token = uniqueString(subscription().id, resourceGroup().id, environmentName)
var names = {
  identity: 'id-${token}'
  storage: 'st${token}'
  serviceBus: 'sbns-${token}'
  workspace: 'log-${token}'
  insights: 'appi-${token}'
  keyVault: 'kv-${token}'
  cosmos: 'cosmos-${token}'
  postgres: 'psql-${token}'
  plan: 'plan-${token}'
  functionApp: 'func-${token}'
  bot: 'bot-${token}'
  console: 'stapp-${token}'
}
var tags = { 'azd-env-name': environmentName, app: 'openalert' }

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: names.identity
  location: location
  tags: tags
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: names.storage
    location: location
    tags: tags
    claimCheckRetentionDays: claimCheckRetentionDays
  }
}

module serviceBus 'modules/servicebus.bicep' = {
  name: 'servicebus'
  params: { name: names.serviceBus, location: location, tags: tags, sku: serviceBusSku }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    workspaceName: names.workspace
    insightsName: names.insights
    location: location
    tags: tags
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  params: {
    name: names.keyVault
    location: location
    tags: tags
    createMode: keyVaultCreateMode
  }
}

module cosmos 'modules/cosmos.bicep' = if (stateStore == 'cosmos') {
  name: 'cosmos'
  params: {
    name: names.cosmos
    location: location
    tags: tags
    principalId: identity.properties.principalId
  }
}

module postgres 'modules/postgres.bicep' = if (stateStore == 'postgres') {
  name: 'postgres'
  params: {
    name: names.postgres
    location: location
    tags: tags
    identityName: identity.name
    identityPrincipalId: identity.properties.principalId
  }
}

module roles 'modules/roles.bicep' = {
  name: 'roles'
  params: {
    principalId: identity.properties.principalId
    storageName: storage.outputs.name
    serviceBusName: serviceBus.outputs.name
    keyVaultName: keyVault.outputs.name
    appInsightsName: monitoring.outputs.name
  }
}

module acs 'modules/acs.bicep' = if (!empty(acsName)) {
  name: 'acs'
  params: { name: acsName, principalId: identity.properties.principalId }
}

module webConsole 'modules/console.bicep' = if (deployConsole) {
  name: 'console'
  params: {
    name: names.console
    location: consoleLocation
    tags: union(tags, { 'azd-service-name': 'web' })
  }
}

var consoleUrl = deployConsole ? 'https://${webConsole.outputs.defaultHostname}' : ''

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  dependsOn: [ roles, acs ]
  params: {
    name: names.functionApp
    planName: names.plan
    location: location
    tags: union(tags, { 'azd-service-name': 'api' })
    identityResourceId: identity.id
    identityClientId: identity.properties.clientId
    identityName: identity.name
    storageName: storage.outputs.name
    storageBlobEndpoint: storage.outputs.blobEndpoint
    deploymentContainerUrl: storage.outputs.deploymentContainerUrl
    claimCheckContainer: storage.outputs.claimCheckContainer
    serviceBusFqdn: serviceBus.outputs.fullyQualifiedNamespace
    appInsightsConnectionString: monitoring.outputs.connectionString
    stateStore: stateStore
    cosmosEndpoint: stateStore == 'cosmos' ? cosmos.outputs.endpoint : ''
    postgresHost: stateStore == 'postgres' ? postgres.outputs.host : ''
    keyVaultUri: keyVault.outputs.uri
    entraClientId: entraClientId
    botAppId: deployBot ? identity.properties.clientId : ''
    outboundAllow: outboundAllow
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    alwaysReadyHttp: alwaysReadyHttp
    alwaysReadyDurable: alwaysReadyDurable
    acsEndpoint: empty(acsName) ? '' : acs.outputs.endpoint
    consoleBaseUrl: consoleUrl
    consoleOrigins: join(filter([ consoleUrl, consoleExtraOrigins ], o => !empty(o)), ',')
  }
}

module bot 'modules/bot.bicep' = if (deployBot) {
  name: 'bot'
  params: {
    name: names.bot
    tags: tags
    messagingEndpoint: 'https://${functionApp.outputs.hostName}/api/messages'
    identityClientId: identity.properties.clientId
    identityResourceId: identity.id
  }
}

output FUNCTION_BASE_URL string = 'https://${functionApp.outputs.hostName}'
output INGEST_URL_PATTERN string = 'https://${functionApp.outputs.hostName}/api/integrations/{integrationKey}'
output BOT_ID string = deployBot ? identity.properties.clientId : ''
output AZURE_CLIENT_ID string = identity.properties.clientId
output FUNCTION_APP_NAME string = functionApp.outputs.name
output CONSOLE_URL string = consoleUrl
// Read by the console's build (azd passes its environment to `npm run build`).
output VITE_API_BASE_URL string = 'https://${functionApp.outputs.hostName}/api/v1'
output VITE_ENTRA_TENANT_ID string = tenant().tenantId
output VITE_ENTRA_CLIENT_ID string = entraClientId
