package limits

// Unlimited is the value of a limit that does not limit: RLIM_INFINITY.
const Unlimited = ^uint64(0)

// Rlimit is a soft and a hard limit in the kernel's units: bytes, seconds
// or counts. Either may be [Unlimited].
type Rlimit struct {
	Soft, Hard uint64
}

// Resource is a resource the kernel limits, numbered as the RLIMIT_
// constants of <sys/resource.h> on Linux.
type Resource int

// The resources, numbered as on Linux.
const (
	CPU        Resource = 0  // RLIMIT_CPU, seconds
	FSIZE      Resource = 1  // RLIMIT_FSIZE, bytes
	DATA       Resource = 2  // RLIMIT_DATA, bytes
	STACK      Resource = 3  // RLIMIT_STACK, bytes
	CORE       Resource = 4  // RLIMIT_CORE, bytes
	RSS        Resource = 5  // RLIMIT_RSS, bytes
	NPROC      Resource = 6  // RLIMIT_NPROC, tasks of the real uid
	NOFILE     Resource = 7  // RLIMIT_NOFILE, file descriptors
	MEMLOCK    Resource = 8  // RLIMIT_MEMLOCK, bytes
	AS         Resource = 9  // RLIMIT_AS, bytes
	LOCKS      Resource = 10 // RLIMIT_LOCKS, file locks
	SIGPENDING Resource = 11 // RLIMIT_SIGPENDING, queued signals
	MSGQUEUE   Resource = 12 // RLIMIT_MSGQUEUE, bytes
	NICE       Resource = 13 // RLIMIT_NICE, 20 - nice value
	RTPRIO     Resource = 14 // RLIMIT_RTPRIO, priority
	RTTIME     Resource = 15 // RLIMIT_RTTIME, microseconds
)
