// Cosmos DB for NoSQL, serverless: billed per request unit consumed and GB stored, nothing when
// idle (docs/deploy.md has the cost table and when to move to provisioned throughput). The
// container list mirrors shared/store/containers.py CONTAINERS (name, partition key path,
// default TTL in seconds; -1 = no default expiry); tests/unit/test_infra.py fails when the two
// disagree.
param name string
param location string
param tags object = {}
param databaseName string = 'openalert'
@description('Principal id of the managed identity that gets the built-in data contributor role.')
param principalId string

var containers = [
  { name: 'teams', pk: '/pk', ttl: -1 }
  { name: 'users', pk: '/pk', ttl: -1 }
  { name: 'api_keys', pk: '/pk', ttl: -1 }
  { name: 'services', pk: '/pk', ttl: -1 }
  { name: 'integrations', pk: '/pk', ttl: -1 }
  { name: 'routes', pk: '/pk', ttl: -1 }
  { name: 'escalation_policies', pk: '/pk', ttl: -1 }
  { name: 'escalation_policy_versions', pk: '/policy_id', ttl: -1 }
  { name: 'schedules', pk: '/pk', ttl: -1 }
  { name: 'oncall_state', pk: '/pk', ttl: -1 }
  { name: 'incidents', pk: '/pk', ttl: -1 }
  { name: 'alerts', pk: '/incident_id', ttl: -1 }
  { name: 'timeline', pk: '/incident_id', ttl: -1 }
  { name: 'dedup', pk: '/integration_id', ttl: -1 }
  { name: 'counters', pk: '/pk', ttl: -1 }
  { name: 'escalation_steps', pk: '/incident_id', ttl: -1 }
  { name: 'heartbeats', pk: '/pk', ttl: -1 }
  { name: 'notifications', pk: '/pk', ttl: -1 }
  { name: 'contact_methods', pk: '/user_id', ttl: -1 }
  { name: 'notification_rules', pk: '/pk', ttl: -1 }
  { name: 'notification_pending', pk: '/pk', ttl: -1 }
  { name: 'notification_bundles', pk: '/pk', ttl: -1 }
  { name: 'webhooks', pk: '/pk', ttl: -1 }
  { name: 'conversations', pk: '/pk', ttl: -1 }
  { name: 'teams_cards', pk: '/incident_id', ttl: -1 }
  { name: 'processed', pk: '/pk', ttl: 604800 }
  { name: 'changes', pk: '/service_id', ttl: 2592000 }
  { name: 'voice_calls', pk: '/pk', ttl: 604800 }
  { name: 'voice_events', pk: '/pk', ttl: 604800 }
  { name: 'status_pages', pk: '/pk', ttl: -1 }
  { name: 'status_posts', pk: '/page_id', ttl: -1 }
  { name: 'status_history', pk: '/page_id', ttl: -1 }
  { name: 'status_subscribers', pk: '/page_id', ttl: -1 }
  { name: 'status_outbox', pk: '/page_id', ttl: -1 }
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
    capabilities: [ { name: 'EnableServerless' } ]
  }
}

resource database 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases@2024-05-15' = {
  parent: account
  name: databaseName
  properties: { resource: { id: databaseName } }
}

// defaultTtl is always set: without it Azure ignores the per-document `ttl` the store writes
// (the emulator honours it either way); -1 turns TTL on with no default expiry.
resource sqlContainers 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-05-15' = [for c in containers: {
  parent: database
  name: c.name
  properties: {
    resource: { id: c.name, partitionKey: { paths: [ c.pk ], kind: 'Hash' }, defaultTtl: c.ttl }
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
