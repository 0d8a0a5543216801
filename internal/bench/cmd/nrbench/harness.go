//go:build linux

package main

import (
	"fmt"
	"slices"
	"syscall"
	"time"
)

// side is one contender of a comparison. run performs the operation n
// times and fails if any of them did not give the expected answer.
type side struct {
	name string
	run  func(n int) error
}

// samples are the per-operation times of one side in nanoseconds, one per
// round: wall-clock time, and the CPU time (user and system) this
// process and its reaped children spent.
type samples struct {
	wall, cpu []float64
}

func quantile(s []float64, q float64) float64 {
	if len(s) == 0 {
		return 0
	}
	c := slices.Clone(s)
	slices.Sort(c)
	return c[int(q*float64(len(c)-1)+0.5)]
}

func (s samples) quantile(q float64) float64 { return quantile(s.wall, q) }

func (s samples) median() float64 { return s.quantile(0.5) }

func (s samples) cpuMedian() float64 { return quantile(s.cpu, 0.5) }

// cpuTime is the CPU time this process and its reaped children have
// used. A side's children are all reaped by the end of its batch, so the
// difference over a batch is that side's CPU cost, whatever else the
// shared machine was running.
func cpuTime() time.Duration {
	var self, kids syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	_ = syscall.Getrusage(syscall.RUSAGE_CHILDREN, &kids)
	var t time.Duration
	for _, tv := range []syscall.Timeval{self.Utime, self.Stime, kids.Utime, kids.Stime} {
		t += time.Duration(tv.Nano())
	}
	return t
}

// spread is the interquartile range over the median: how noisy the
// rounds were.
func (s samples) spread() float64 {
	m := s.median()
	if m == 0 {
		return 0
	}
	return (s.quantile(0.75) - s.quantile(0.25)) / m
}

// interleave runs every side once before any side runs again, rounds
// times, rotating which side goes first so that neither always inherits
// the other's warm caches or a burst of noise from the shared machine.
// Each round times a batch of n operations and records the time per
// operation. One warm-up batch per side runs first and is not recorded.
func interleave(rounds, n int, sides ...side) ([]samples, error) {
	for _, s := range sides {
		if err := s.run(1); err != nil {
			return nil, fmt.Errorf("%s: %w", s.name, err)
		}
	}
	out := make([]samples, len(sides))
	for r := range rounds {
		for k := range sides {
			i := (r + k) % len(sides)
			cpu, start := cpuTime(), time.Now()
			if err := sides[i].run(n); err != nil {
				return nil, fmt.Errorf("%s: %w", sides[i].name, err)
			}
			out[i].wall = append(out[i].wall, float64(time.Since(start).Nanoseconds())/float64(n))
			out[i].cpu = append(out[i].cpu, float64((cpuTime()-cpu).Nanoseconds())/float64(n))
		}
	}
	return out, nil
}
