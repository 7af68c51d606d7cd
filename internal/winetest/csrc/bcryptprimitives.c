/*
 * bcryptprimitives.dll for Wine 8, which has none: Go programs (1.24 and
 * later) take their random numbers from its ProcessPrng and stop at start
 * without it. Windows 10 and later have the real one; this stand-in is
 * built by the tests into their own Wine prefix only and is never shipped.
 * ProcessPrng fills the buffer from RtlGenRandom (advapi32's
 * SystemFunction036), the system's cryptographic generator.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
	while (length > 0) {
		ULONG n = length > 0x10000000 ? 0x10000000 : (ULONG)length;
		if (!SystemFunction036(data, n))
			return FALSE;
		data += n;
		length -= n;
	}
	return TRUE;
}
