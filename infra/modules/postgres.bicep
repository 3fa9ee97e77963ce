// Azure Database for PostgreSQL Flexible Server, Entra-only authentication; the managed
// identity is the Entra administrator (it creates its own schema on first start).
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
    backup: { backupRetentionDays: 7, geoRedundantBackup: 'Disabled' }
    authConfig: {
      activeDirectoryAuth: 'Enabled'
      passwordAuth: 'Disabled'
      tenantId: tenantId
    }
  }
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
