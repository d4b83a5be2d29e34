// The instruments are process-wide (static meters, as in the broker): one test at a time, so a histogram's count or a
// counter's total moves only by what the running test did.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
