// Log Analytics + Application Insights with Entra-only ingestion (local auth disabled).
param workspaceName string
param insightsName string
param location string
param tags object = {}

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: workspaceName
  location: location
  tags: tags
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: 30
  }
}

resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: insightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    DisableLocalAuth: true
  }
}

output id string = insights.id
output name string = insights.name
// The connection string carries only the instrumentation key and endpoints, not a secret:
// with DisableLocalAuth ingestion needs an Entra token.
output connectionString string = insights.properties.ConnectionString
