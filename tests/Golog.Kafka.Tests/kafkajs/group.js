// KafkaJS 2.2.4 consumer groups on the Kafka door: two members share a 4-partition topic (each reads only what its
// leader assigned it), one leaves and the other takes all four, and admin.fetchOffsets reads the commits.
// Prints one JSON line; exit 0 when it ran through. Usage: node group.js HOST:PORT
const { Kafka, logLevel } = require('kafkajs')

const kafka = new Kafka({ clientId: 'golog-kjs-group', brokers: [process.argv[2]], logLevel: logLevel.NOTHING, retry: { retries: 5 } })
const topic = 'kjs-group', groupId = 'kjs-group-g', N = 40
const sleep = ms => new Promise(r => setTimeout(r, ms))
const waitFor = async (what, condition) => { // bounded: 30 s, then fail with what was awaited
  for (const end = Date.now() + 30000; !(await condition());) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await sleep(200)
  }
}

;(async () => {
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({ topics: [{ topic, numPartitions: 4 }] })
  const got = { c1: [], c2: [] }, assigned = { c1: [], c2: [] }
  const consumers = {}
  for (const name of ['c1', 'c2']) {
    const c = kafka.consumer({ groupId, sessionTimeout: 10000, heartbeatInterval: 500 })
    c.on(c.events.GROUP_JOIN, e => { assigned[name] = e.payload.memberAssignment[topic] || [] })
    await c.connect()
    await c.subscribe({ topic, fromBeginning: true })
    await c.run({ eachMessage: async ({ partition }) => { got[name].push(partition) } })
    consumers[name] = c
  }
  await waitFor('two members with two partitions each', () => assigned.c1.length === 2 && assigned.c2.length === 2)
  const split = { c1: [...assigned.c1].sort(), c2: [...assigned.c2].sort() }

  const producer = kafka.producer()
  await producer.connect()
  await producer.send({ topic, messages: Array.from({ length: N }, (_, i) => ({ key: `k${i}`, value: `v${i}` })) })
  await waitFor('the first 40 messages', () => got.c1.length + got.c2.length >= N)
  const firstRead = { c1: got.c1.length, c2: got.c2.length }
  const ownOnly = ['c1', 'c2'].every(n => got[n].every(p => split[n].includes(p)))

  await consumers.c2.disconnect() // LeaveGroup: c1 is told to rejoin and takes every partition
  await waitFor('c1 alone with four partitions', () => assigned.c1.length === 4)
  got.c1 = []
  await producer.send({ topic, messages: Array.from({ length: N }, (_, i) => ({ key: `k${i}`, value: `w${i}` })) })
  await producer.disconnect()
  await waitFor('the next 40 messages, all read by c1', () => got.c1.length >= N)
  const afterLeave = [...new Set(got.c1)].sort()

  let committed = 0
  await waitFor('commits of all 80 messages', async () => {
    const offsets = await admin.fetchOffsets({ groupId, topics: [topic] })
    committed = offsets[0].partitions.reduce((s, p) => s + Number(p.offset), 0)
    return committed === 2 * N
  })
  const described = (await admin.describeGroups([groupId])).groups[0]
  await consumers.c1.disconnect()
  await admin.disconnect()
  console.log(JSON.stringify({ split, firstRead, ownOnly, afterLeave: assigned.c1.sort(), readAfterLeave: afterLeave, committed,
    state: described.state, protocol: described.protocol, members: described.members.length }))
})().catch(e => { console.error(e); process.exit(1) })
