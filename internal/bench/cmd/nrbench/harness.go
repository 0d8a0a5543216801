//go:build linux

package main

import (
	"fmt"
	"slices"
	"time"
)

// side is one contender of a comparison. run performs the operation n
// times and fails if any of them did not give the expected answer.
type side struct {
	name string
	run  func(n int) error
}

// samples are the per-operation times of one side in nanoseconds, one per
// round.
type samples []float64

func (s samples) quantile(q float64) float64 {
	if len(s) == 0 {
		return 0
	}
	c := slices.Clone(s)
	slices.Sort(c)
	return c[int(q*float64(len(c)-1)+0.5)]
}

func (s samples) median() float64 { return s.quantile(0.5) }

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
			start := time.Now()
			if err := sides[i].run(n); err != nil {
				return nil, fmt.Errorf("%s: %w", sides[i].name, err)
			}
			out[i] = append(out[i], float64(time.Since(start).Nanoseconds())/float64(n))
		}
	}
	return out, nil
}
