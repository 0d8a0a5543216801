//go:build linux

package proc_test

import (
	"fmt"

	"github.com/nonroot-go/nonroot/internal/proc"
)

// Count the tasks of each real uid, reading every status once.
func Example() {
	r := proc.Reader{ShortReadIsEOF: true}
	var st proc.Status
	tasks := map[uint32]int{}
	for pid, err := range proc.Pids() {
		if err != nil {
			panic(err)
		}
		d, err := proc.Open(pid)
		if err != nil {
			continue // gone already
		}
		if err := r.Status(d, &st); err == nil {
			tasks[st.Uid[0]] += st.Threads
		}
		d.Close()
	}
	fmt.Println(len(tasks) > 0)
	// Output: true
}
