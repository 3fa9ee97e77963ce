// The web console: a Static Web App serving the built SPA (web/dist), deployed by azd (service
// 'web', host staticwebapp). It calls the function app's /api/v1 cross-origin; the function app
// answers CORS itself for CONSOLE_ORIGINS (shared/api/cors.py), which is why platform CORS
// stays off there. Cache headers and the SPA fallback come from web/public/staticwebapp.config.json.
// docs/deploy.md has the choice and why.
param name string
@description('Static Web Apps run in a few regions only: westus2, centralus, eastus2, westeurope, eastasia.')
@allowed([ 'westus2', 'centralus', 'eastus2', 'westeurope', 'eastasia' ])
param location string
param tags object = {}
@description('Free serves a static SPA with a CORS API (no linked backend needed); Standard adds custom auth, private endpoints and the SLA.')
@allowed([ 'Free', 'Standard' ])
param sku string = 'Free'

resource site 'Microsoft.Web/staticSites@2023-12-01' = {
  name: name
  location: location
  tags: tags
  sku: { name: sku, tier: sku }
  properties: {
    // azd deploys with the site's deployment token; no repository is linked.
    allowConfigFileUpdates: true
    stagingEnvironmentPolicy: 'Enabled'
    publicNetworkAccess: 'Enabled'
  }
}

output name string = site.name
output defaultHostname string = site.properties.defaultHostname
