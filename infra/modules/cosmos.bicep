// Cosmos DB for NoSQL (serverless by default). The container list mirrors
// shared/store/containers.py CONTAINERS (name, partition key path, default TTL in seconds);
// tests/unit/test_infra.py fails when the two disagree.
param name string
param location string
param tags object = {}
param databaseName string = 'openalert'
param serverless bool = true
@description('Principal id of the managed identity that gets the built-in data contributor role.')
param principalId string

var containers = [
  { name: 'teams', pk: '/pk', ttl: 0 }
  { name: 'users', pk: '/pk', ttl: 0 }
  { name: 'api_keys', pk: '/pk', ttl: 0 }
  { name: 'services', pk: '/pk', ttl: 0 }
  { name: 'integrations', pk: '/pk', ttl: 0 }
  { name: 'routes', pk: '/pk', ttl: 0 }
  { name: 'escalation_policies', pk: '/pk', ttl: 0 }
  { name: 'schedules', pk: '/pk', ttl: 0 }
  { name: 'oncall_state', pk: '/pk', ttl: 0 }
  { name: 'incidents', pk: '/pk', ttl: 0 }
  { name: 'alerts', pk: '/incident_id', ttl: 0 }
  { name: 'timeline', pk: '/incident_id', ttl: 0 }
  { name: 'dedup', pk: '/integration_id', ttl: 0 }
  { name: 'counters', pk: '/pk', ttl: 0 }
  { name: 'escalation_steps', pk: '/incident_id', ttl: 0 }
  { name: 'heartbeats', pk: '/pk', ttl: 0 }
  { name: 'notifications', pk: '/pk', ttl: 0 }
  { name: 'contact_methods', pk: '/user_id', ttl: 0 }
  { name: 'notification_rules', pk: '/pk', ttl: 0 }
  { name: 'notification_pending', pk: '/pk', ttl: 0 }
  { name: 'notification_bundles', pk: '/pk', ttl: 0 }
  { name: 'webhooks', pk: '/pk', ttl: 0 }
  { name: 'conversations', pk: '/pk', ttl: 0 }
  { name: 'teams_cards', pk: '/incident_id', ttl: 0 }
  { name: 'processed', pk: '/pk', ttl: 604800 }
  { name: 'changes', pk: '/service_id', ttl: 2592000 }
  { name: 'voice_calls', pk: '/pk', ttl: 604800 }
  { name: 'voice_events', pk: '/pk', ttl: 604800 }
]

resource account 'Microsoft.DocumentDB/databaseAccounts@2024-05-15' = {
  // checkov:skip=CKV_AZURE_101:reachable over its public endpoint because Flex Consumption without a VNet calls it there; access is Entra-only (local auth disabled) and private networking is an opt-in documented in docs/deploy.md
  // checkov:skip=CKV_AZURE_99:reachable over its public endpoint because Flex Consumption without a VNet calls it there; access is Entra-only (local auth disabled) and private networking is an opt-in documented in docs/deploy.md
  name: name
  location: location
  tags: tags
  kind: 'GlobalDocumentDB'
  properties: {
    databaseAccountOfferType: 'Standard'
    disableLocalAuth: true
    disableKeyBasedMetadataWriteAccess: true
    minimalTlsVersion: 'Tls12'
    consistencyPolicy: { defaultConsistencyLevel: 'Session' }
    locations: [ { locationName: location, failoverPriority: 0, isZoneRedundant: false } ]
    capabilities: serverless ? [ { name: 'EnableServerless' } ] : []
  }
}

resource database 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases@2024-05-15' = {
  parent: account
  name: databaseName
  properties: { resource: { id: databaseName } }
}

// ttl 0 in the list = no TTL on the container (defaultTtl omitted).
resource sqlContainers 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-05-15' = [for c in containers: {
  parent: database
  name: c.name
  properties: {
    resource: union({ id: c.name, partitionKey: { paths: [ c.pk ], kind: 'Hash' } }, c.ttl > 0 ? { defaultTtl: c.ttl } : {})
  }
}]

// 00000000-0000-0000-0000-000000000002 = Cosmos DB Built-in Data Contributor (SQL role, not ARM).
resource dataContributor 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2024-05-15' = {
  parent: account
  name: guid(account.id, principalId, '00000000-0000-0000-0000-000000000002')
  properties: {
    roleDefinitionId: '${account.id}/sqlRoleDefinitions/00000000-0000-0000-0000-000000000002'
    principalId: principalId
    scope: account.id
  }
}

output endpoint string = account.properties.documentEndpoint
output databaseName string = database.name
