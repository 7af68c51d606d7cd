//go:build !linux

package verify

import "time"

// selfCPU is not measured off Linux.
func selfCPU() time.Duration { return 0 }
