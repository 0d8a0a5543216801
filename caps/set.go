package caps

// Set is a set of capabilities: bit n stands for capability n, as in the
// kernel's two 32-bit words of a capability set and the hex masks of
// /proc/PID/status. The zero Set is empty.
type Set uint64
