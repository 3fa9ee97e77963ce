// Storage: Functions host storage (Durable task hub, timer leases), the Flex Consumption
// deployment container and the claim-check container. Shared keys are disabled: every client
// authenticates with the managed identity.
param name string
param location string
param tags object = {}
@description('Days a claim-checked alert body is kept before the lifecycle rule deletes it.')
@minValue(1)
param claimCheckRetentionDays int = 14
param claimCheckContainer string = 'alert-payloads'
param deploymentContainer string = 'app-package'

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  // checkov:skip=CKV_AZURE_35:reachable over its public endpoint because Flex Consumption without a VNet calls it there; access is Entra-only (local auth disabled) and private networking is an opt-in documented in docs/deploy.md
  // checkov:skip=CKV_AZURE_59:reachable over its public endpoint because Flex Consumption without a VNet calls it there; access is Entra-only (local auth disabled) and private networking is an opt-in documented in docs/deploy.md
  // checkov:skip=CKV_AZURE_206:LRS keeps cost minimal and is available in every region; the data here (host leases, packages, claim-check bodies kept days) is re-creatable, durable state lives in the store
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: {
    allowSharedKeyAccess: false
    allowBlobPublicAccess: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    defaultToOAuthAuthentication: true
    publicNetworkAccess: 'Enabled'
  }
}

resource blobs 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: account
  name: 'default'
  properties: {
    deleteRetentionPolicy: { enabled: true, days: 7 }
  }
}

resource deployment 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobs
  name: deploymentContainer
  properties: { publicAccess: 'None' }
}

resource claimCheck 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobs
  name: claimCheckContainer
  properties: { publicAccess: 'None' }
}

// Claim-check bodies are only needed until the process function has read them; the retention
// period covers dead-letter replay.
resource lifecycle 'Microsoft.Storage/storageAccounts/managementPolicies@2023-05-01' = {
  parent: account
  name: 'default'
  properties: {
    policy: {
      rules: [
        {
          name: 'expire-claim-check'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: { blobTypes: [ 'blockBlob' ], prefixMatch: [ '${claimCheckContainer}/' ] }
            actions: {
              baseBlob: { delete: { daysAfterModificationGreaterThan: claimCheckRetentionDays } }
            }
          }
        }
      ]
    }
  }
}

output id string = account.id
output name string = account.name
output blobEndpoint string = account.properties.primaryEndpoints.blob
output deploymentContainerUrl string = '${account.properties.primaryEndpoints.blob}${deploymentContainer}'
output claimCheckContainer string = claimCheck.name
