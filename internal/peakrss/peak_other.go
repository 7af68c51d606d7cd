//go:build !linux

package peakrss

import "errors"

func highWater() (int64, error) {
	return 0, errors.New("peak memory is measured on Linux only (VmHWM)")
}
