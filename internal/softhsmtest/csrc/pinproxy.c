/*
 * A PKCS#11 proxy module for tests. It forwards every call to the module in
 * $VANTHU_PINPROXY_TARGET (SoftHSM2) and simulates a hardware token's user
 * PIN retry counter, which SoftHSM2 does not enforce: after
 * $VANTHU_PINPROXY_TRIES wrong PINs (default 3) the token reports
 * CKF_USER_PIN_LOCKED and refuses every login; one try before that it
 * reports CKF_USER_PIN_FINAL_TRY. The counter lives in the file
 * $VANTHU_PINPROXY_STATE so that several processes see the same token.
 * With $VANTHU_PINPROXY_PINPAD set to the PIN, the token also reports
 * CKF_PROTECTED_AUTHENTICATION_PATH and a login without a PIN is completed
 * with that PIN, as a reader's PIN pad would.
 * With $VANTHU_PINPROXY_SIGN_DELAY_MS set, every C_Sign that produces a
 * signature first waits that long, as a slow USB token does (tests of a
 * busy token).
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CK_PTR *
#define CK_DECLARE_FUNCTION(returnType, name) returnType name
#define CK_DECLARE_FUNCTION_POINTER(returnType, name) returnType(*name)
#define CK_CALLBACK_FUNCTION(returnType, name) returnType(*name)
#ifndef NULL_PTR
#define NULL_PTR 0
#endif
#include "pkcs11.h"

static CK_FUNCTION_LIST_PTR target;
static CK_FUNCTION_LIST proxy;

static int max_tries(void) {
	const char *s = getenv("VANTHU_PINPROXY_TRIES");
	return s ? atoi(s) : 3;
}

static int read_failures(void) {
	const char *p = getenv("VANTHU_PINPROXY_STATE");
	int n = 0;
	FILE *f = p ? fopen(p, "r") : NULL;
	if (f) {
		if (fscanf(f, "%d", &n) != 1) n = 0;
		fclose(f);
	}
	return n;
}

static void write_failures(int n) {
	const char *p = getenv("VANTHU_PINPROXY_STATE");
	FILE *f = p ? fopen(p, "w") : NULL;
	if (f) {
		fprintf(f, "%d\n", n);
		fclose(f);
	}
}

static CK_RV proxy_GetTokenInfo(CK_SLOT_ID slot, CK_TOKEN_INFO_PTR info) {
	CK_RV rv = target->C_GetTokenInfo(slot, info);
	if (rv != CKR_OK) return rv;
	int n = read_failures(), max = max_tries();
	info->flags &= ~(CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_FINAL_TRY | CKF_USER_PIN_LOCKED);
	if (getenv("VANTHU_PINPROXY_PINPAD"))
		info->flags |= CKF_PROTECTED_AUTHENTICATION_PATH;
	if (n >= max)
		info->flags |= CKF_USER_PIN_LOCKED;
	else if (n == max - 1)
		info->flags |= CKF_USER_PIN_FINAL_TRY | CKF_USER_PIN_COUNT_LOW;
	else if (n > 0)
		info->flags |= CKF_USER_PIN_COUNT_LOW;
	return CKR_OK;
}

static CK_RV proxy_Login(CK_SESSION_HANDLE h, CK_USER_TYPE ut, CK_UTF8CHAR_PTR pin, CK_ULONG len) {
	if (ut != CKU_USER) return target->C_Login(h, ut, pin, len);
	int n = read_failures();
	if (n >= max_tries()) return CKR_PIN_LOCKED;
	const char *pad = getenv("VANTHU_PINPROXY_PINPAD");
	if (pad && (pin == NULL || len == 0)) {
		pin = (CK_UTF8CHAR_PTR)pad;
		len = (CK_ULONG)strlen(pad);
	}
	CK_RV rv = target->C_Login(h, ut, pin, len);
	if (rv == CKR_PIN_INCORRECT)
		write_failures(n + 1);
	else if (rv == CKR_OK || rv == CKR_USER_ALREADY_LOGGED_IN)
		write_failures(0);
	return rv;
}

static CK_RV proxy_Sign(CK_SESSION_HANDLE h, CK_BYTE_PTR data, CK_ULONG len, CK_BYTE_PTR sig, CK_ULONG_PTR siglen) {
	const char *d = getenv("VANTHU_PINPROXY_SIGN_DELAY_MS");
	if (d && sig != NULL) usleep((useconds_t)atoi(d) * 1000);
	return target->C_Sign(h, data, len, sig, siglen);
}

CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR pp) {
	if (pp == NULL) return CKR_ARGUMENTS_BAD;
	if (target == NULL) {
		const char *t = getenv("VANTHU_PINPROXY_TARGET");
		void *h = t ? dlopen(t, RTLD_NOW | RTLD_LOCAL) : NULL;
		if (h == NULL) return CKR_GENERAL_ERROR;
		CK_C_GetFunctionList gfl = (CK_C_GetFunctionList)dlsym(h, "C_GetFunctionList");
		if (gfl == NULL) return CKR_GENERAL_ERROR;
		CK_FUNCTION_LIST_PTR fl;
		CK_RV rv = gfl(&fl);
		if (rv != CKR_OK) return rv;
		proxy = *fl;
		proxy.C_GetTokenInfo = proxy_GetTokenInfo;
		proxy.C_Login = proxy_Login;
		proxy.C_Sign = proxy_Sign;
		target = fl;
	}
	*pp = &proxy;
	return CKR_OK;
}
