package limits

// Usage is how much of its RLIMIT_NPROC budget a uid uses, as seen from
// the caller's user namespace.
//
// Since Linux 5.14 the kernel counts RLIMIT_NPROC (and SIGPENDING,
// MSGQUEUE, MEMLOCK) per (user namespace, uid): a task whose credentials
// are (N, u) is charged to (N, u), and to (parent of N, owner of N), and
// so on up to the initial namespace. A fork fails with EAGAIN when the
// count of any level reaches its limit: the task's own RLIMIT_NPROC at
// its level, and at each parent level the RLIMIT_NPROC its creator had
// when the namespace was made (no cap when the creator was root in the
// initial namespace). A task whose real uid is the host's uid 0, in
// whatever namespace, and holders of CAP_SYS_RESOURCE or CAP_SYS_ADMIN in
// the initial namespace are not checked (kernel/fork.c).
//
// So containers that run as one host uid without a user namespace share
// one count, and a namespace created by root gives its tasks a count of
// their own (its parent level charges root); a namespace created by the
// uid itself still charges the uid's count in the parent.
type Usage struct {
	UID uint32
	// Processes counts thread groups whose real uid, as seen here, is
	// UID: what pgrep -c -U counts.
	Processes int
	// Tasks counts their threads.
	Tasks int
	// Charged counts the tasks the kernel charges to UID in the caller's
	// user namespace: tasks here whose real uid is UID, plus every task of
	// a descendant namespace whose topmost ancestor below the caller's
	// namespace is owned by UID, whatever uid runs it. This is the count a
	// new process of UID here is compared with.
	Charged int
	// Namespaces lists, by user namespace, where UID's tasks run and where
	// the tasks charged to it run.
	Namespaces []NamespaceUsage
	// Unknown counts processes whose user namespace could not be read
	// (another user's, read without ptrace access): their tasks are
	// charged as if they ran in the caller's namespace.
	Unknown int
}

// NamespaceUsage is one user namespace's share of a [Usage].
type NamespaceUsage struct {
	Inode uint64 // of /proc/PID/ns/user; 0 for unknown
	Own   bool   // the caller's namespace
	// Owner is the namespace's owner uid as seen here (NS_GET_OWNER_UID),
	// and TopOwner the owner of its topmost ancestor below the caller's
	// namespace, to which its tasks are charged here. Both are -1 (as
	// uint32) when unknown, and for the caller's own namespace.
	Owner, TopOwner uint32
	// Descendant: the namespace lies below the caller's. Tasks of other
	// namespaces (ancestors, siblings) are not charged here.
	Descendant bool
	Tasks      int // tasks with real uid UID in it
	Charged    int // tasks in it charged to UID here
}

// Headroom returns how many more tasks of the uid fit under limit (the
// soft RLIMIT_NPROC of the process that would fork) in the caller's
// namespace: 0 when none, Unlimited for an unlimited limit. The kernel
// counts the new task first and refuses it when the count then exceeds
// the limit, so the answer is limit - Charged. Parent levels may cap
// further, and the exempt (see [Usage]) are never refused.
func (u Usage) Headroom(limit uint64) uint64 {
	if limit == Unlimited {
		return Unlimited
	}
	if uint64(u.Charged) >= limit {
		return 0
	}
	return limit - uint64(u.Charged)
}
