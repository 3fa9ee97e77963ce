// Azure Database for PostgreSQL Flexible Server, Entra-only authentication; the managed
// identity is the Entra administrator (it creates its own schema on first start).
// Network: public access with the "Allow Azure services" rule (0.0.0.0-0.0.0.0). Flex
// Consumption without a VNet connects from shared Azure outbound addresses that cannot be
// listed in advance; the rule admits Azure-hosted clients to the listener only, and every login
// still needs an Entra token for the identity. Private access instead needs VNet integration
// of the Function App and a delegated subnet (docs/deploy.md, Private networking).
param name string
param location string
param tags object = {}
param databaseName string = 'openalert'
param identityName string
param identityPrincipalId string
param tenantId string = subscription().tenantId
param skuName string = 'Standard_B1ms'
param skuTier string = 'Burstable'

resource server 'Microsoft.DBforPostgreSQL/flexibleServers@2023-06-01-preview' = {
  name: name
  location: location
  tags: tags
  sku: { name: skuName, tier: skuTier }
  properties: {
    version: '16'
    storage: { storageSizeGB: 32 }
    network: { publicNetworkAccess: 'Enabled' }
    backup: { backupRetentionDays: 7, geoRedundantBackup: 'Disabled' }
    authConfig: {
      activeDirectoryAuth: 'Enabled'
      passwordAuth: 'Disabled'
      tenantId: tenantId
    }
  }
}

// The documented name and 0.0.0.0 range of the "Allow public access from any Azure service"
// option; it does not admit the internet at large.
resource allowAzure 'Microsoft.DBforPostgreSQL/flexibleServers/firewallRules@2023-06-01-preview' = {
  parent: server
  name: 'AllowAllAzureServicesAndResourcesWithinAzureIps'
  properties: { startIpAddress: '0.0.0.0', endIpAddress: '0.0.0.0' }
}

resource database 'Microsoft.DBforPostgreSQL/flexibleServers/databases@2023-06-01-preview' = {
  parent: server
  name: databaseName
}

resource admin 'Microsoft.DBforPostgreSQL/flexibleServers/administrators@2023-06-01-preview' = {
  parent: server
  name: identityPrincipalId
  dependsOn: [ database ]
  properties: {
    principalName: identityName
    principalType: 'ServicePrincipal'
    tenantId: tenantId
  }
}

output host string = server.properties.fullyQualifiedDomainName
output databaseName string = database.name
