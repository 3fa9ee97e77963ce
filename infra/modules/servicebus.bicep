// Service Bus: the 'alerts' queue (ingest -> process) and the 'notifications' queue
// (escalation -> deliver). Local (SAS) auth is disabled; the identity holds data roles.
param name string
param location string
param tags object = {}
@allowed([ 'Standard', 'Premium' ])
param sku string = 'Standard'

resource namespace 'Microsoft.ServiceBus/namespaces@2022-10-01-preview' = {
  name: name
  location: location
  tags: tags
  sku: { name: sku, tier: sku, capacity: sku == 'Premium' ? 1 : 0 }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
  }
}

// Duplicate detection drops a message whose MessageId was already seen within the window. The
// Functions output binding carries only a body, so the extension gives every message a fresh
// id, and ingest gives each accepted request a new envelope: a client re-sending an alert makes
// a new message that this does not catch. A redelivered message is made harmless by the process
// function (idempotent per envelope id) and a re-sent alert is grouped onto its incident by its
// dedup key. The setting stays because it cannot be changed on an existing queue.
resource alerts 'Microsoft.ServiceBus/namespaces/queues@2022-10-01-preview' = {
  parent: namespace
  name: 'alerts'
  properties: {
    lockDuration: 'PT1M'
    maxDeliveryCount: 10
    deadLetteringOnMessageExpiration: true
    defaultMessageTimeToLive: 'P14D'
    requiresDuplicateDetection: true
    duplicateDetectionHistoryTimeWindow: 'PT10M'
  }
}

resource notifications 'Microsoft.ServiceBus/namespaces/queues@2022-10-01-preview' = {
  parent: namespace
  name: 'notifications'
  properties: {
    lockDuration: 'PT1M'
    maxDeliveryCount: 10
    deadLetteringOnMessageExpiration: true
    defaultMessageTimeToLive: 'P1D'
  }
}

output id string = namespace.id
output name string = namespace.name
output fullyQualifiedNamespace string = '${namespace.name}.servicebus.windows.net'
