// Key Vault (RBAC mode) for secrets that cannot be identities (the SMTP password). Purge
// protection keeps a deleted vault's name for 90 days: after `azd down`, provision the same
// environment again with createMode 'recover' (docs/deploy.md).
param name string
param location string
param tags object = {}
param tenantId string = subscription().tenantId
@allowed([ 'default', 'recover' ])
param createMode string = 'default'

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  // checkov:skip=CKV_AZURE_109:reachable over its public endpoint because Flex Consumption without a VNet calls it there; access is Entra-only (local auth disabled) and private networking is an opt-in documented in docs/deploy.md
  // checkov:skip=CKV_AZURE_189:reachable over its public endpoint because Flex Consumption without a VNet calls it there; access is Entra-only (local auth disabled) and private networking is an opt-in documented in docs/deploy.md
  name: name
  location: location
  tags: tags
  properties: {
    createMode: createMode
    tenantId: tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
    publicNetworkAccess: 'Enabled'
    networkAcls: { defaultAction: 'Allow', bypass: 'AzureServices' }
  }
}

output id string = vault.id
output name string = vault.name
output uri string = vault.properties.vaultUri
