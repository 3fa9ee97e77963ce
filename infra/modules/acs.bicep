// An existing Azure Communication Services resource (SMS, e-mail, voice): the app identity signs
// its requests with Entra ID, which needs an ARM role on the resource. Deployed only when main's
// acsName is set; otherwise docs/deploy.md gives the manual `az role assignment create`.
param name string
param principalId string

resource acs 'Microsoft.Communication/communicationServices@2023-04-01' existing = { name: name }

// b24988ac-6180-42a0-ab88-20f7382dd24c = Contributor, scoped to this one resource: the role
// Microsoft's Entra ID quickstart for Communication Services grants.
resource contributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: acs
  name: guid(acs.id, principalId, 'b24988ac-6180-42a0-ab88-20f7382dd24c')
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'b24988ac-6180-42a0-ab88-20f7382dd24c')
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

output endpoint string = 'https://${acs.properties.hostName}'
