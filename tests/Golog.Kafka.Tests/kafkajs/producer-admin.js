// KafkaJS 2.2.4 against the Kafka door: admin create/list/delete topics, an idempotent producer (acks -1), plain
// producers with acks 1 and 0; offsets read back with ListOffsets. Prints one JSON line; exit 0 when it ran through.
// Usage: node producer-admin.js HOST:PORT
const { Kafka, logLevel } = require('kafkajs')

const kafka = new Kafka({ clientId: 'golog-kafkajs', brokers: [process.argv[2]], logLevel: logLevel.WARN, retry: { retries: 5 } })
const N = 40

;(async () => {
  const admin = kafka.admin()
  await admin.connect()
  const created = await admin.createTopics({ topics: [{ topic: 'kjs-idem', numPartitions: 2 }, { topic: 'kjs-plain' }] }) // -1/-1: broker defaults
  const createdAgain = await admin.createTopics({ topics: [{ topic: 'kjs-idem', numPartitions: 2 }] })
  const listed = (await admin.listTopics()).sort()

  const idempotent = kafka.producer({ idempotent: true, maxInFlightRequests: 1 })
  await idempotent.connect()
  const idem = await idempotent.send({ topic: 'kjs-idem', acks: -1,
    messages: Array.from({ length: N }, (_, i) => ({ key: `k${i}`, value: `v${i}`, headers: { h: `x${i}` } })) })
  await idempotent.disconnect()

  const plain = kafka.producer()
  await plain.connect()
  const acks1 = await plain.send({ topic: 'kjs-plain', acks: 1, messages: [{ value: 'one' }, { value: 'two' }] })
  const acks0 = await plain.send({ topic: 'kjs-plain', acks: 0, messages: [{ value: 'three' }] })
  await plain.send({ topic: 'kjs-plain', acks: -1, messages: [{ value: 'four' }] }) // behind the unanswered acks 0
  await plain.disconnect()

  const offsets = async topic => (await admin.fetchTopicOffsets(topic)).map(p => Number(p.high)).reduce((a, b) => a + b, 0)
  const result = {
    created, createdAgain, listed,
    idempotentErrors: idem.map(r => r.errorCode), idempotentHigh: await offsets('kjs-idem'),
    acks1Offsets: acks1.map(r => r.baseOffset), acks0Answered: acks0.length, plainHigh: await offsets('kjs-plain'),
  }
  await admin.deleteTopics({ topics: ['kjs-idem', 'kjs-plain'] })
  result.afterDelete = (await admin.listTopics()).sort()
  await admin.disconnect()
  console.log(JSON.stringify(result))
})().catch(e => { console.error(e); process.exit(1) })
