// OpenAlert: everything an organisation needs in one resource group. Identity-based throughout:
// no connection strings, account keys or SAS anywhere.
targetScope = 'resourceGroup'

@description('Short prefix for resource names (azd passes the environment name).')
@minLength(2)
@maxLength(12)
param namePrefix string
param location string = resourceGroup().location
@allowed([ 'cosmos', 'postgres' ])
param stateStore string = 'cosmos'
@description('Cosmos DB serverless (pay per request unit); false = provisioned throughput.')
param cosmosServerless bool = true
@allowed([ 'Standard', 'Premium' ])
param serviceBusSku string = 'Standard'
@allowed([ 2048, 4096 ])
param instanceMemoryMB int = 2048
param maximumInstanceCount int = 100
param alwaysReadyHttp int = 0
param alwaysReadyDurable int = 0
@description('Days claim-checked alert bodies are kept.')
param claimCheckRetentionDays int = 14
@description('Application (client) id of the OpenAlert API app registration (token audience).')
param entraClientId string = ''
param deployBot bool = true
@description('CIDRs and host names, comma-separated, that user-configured webhooks may call although they are not public addresses (VNet-integrated deployments); empty: public addresses only.')
param outboundAllow string = ''

var suffix = uniqueString(subscription().id, resourceGroup().id, namePrefix)
var base = toLower('${namePrefix}-${suffix}')
var tags = { 'azd-env-name': namePrefix, app: 'openalert' }
var appName = '${base}-func'

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: '${base}-id'
  location: location
  tags: tags
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: take(replace('st${base}', '-', ''), 24)
    location: location
    tags: tags
    claimCheckRetentionDays: claimCheckRetentionDays
  }
}

module serviceBus 'modules/servicebus.bicep' = {
  name: 'servicebus'
  params: { name: '${base}-sb', location: location, tags: tags, sku: serviceBusSku }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: { name: base, location: location, tags: tags }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  params: { name: take('kv${replace(base, '-', '')}', 24), location: location, tags: tags }
}

module cosmos 'modules/cosmos.bicep' = if (stateStore == 'cosmos') {
  name: 'cosmos'
  params: {
    name: '${base}-cosmos'
    location: location
    tags: tags
    serverless: cosmosServerless
    principalId: identity.properties.principalId
  }
}

module postgres 'modules/postgres.bicep' = if (stateStore == 'postgres') {
  name: 'postgres'
  params: {
    name: '${base}-pg'
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

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  dependsOn: [ roles ]
  params: {
    name: appName
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
  }
}

module bot 'modules/bot.bicep' = if (deployBot) {
  name: 'bot'
  params: {
    name: '${base}-bot'
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
