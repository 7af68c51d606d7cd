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
 *
 * Context-specific logins (keys with CKA_ALWAYS_AUTHENTICATE) count on the
 * same counter, as on hardware tokens. With $VANTHU_PINPROXY_ALWAYS_AUTH
 * set to a PIN, every private key reports CKA_ALWAYS_AUTHENTICATE and the
 * proxy itself checks each context-specific login against that PIN (set it
 * to another value than the login PIN to have the per-signature PIN
 * refused). $VANTHU_PINPROXY_INITS names a file where the C_Initialize and
 * C_Finalize calls are counted.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static void count_call(int final) {
	const char *p = getenv("VANTHU_PINPROXY_INITS");
	int n[2] = {0, 0};
	FILE *f = p ? fopen(p, "r") : NULL;
	if (f) {
		if (fscanf(f, "%d %d", &n[0], &n[1]) != 2) n[0] = n[1] = 0;
		fclose(f);
	}
	n[final]++;
	f = p ? fopen(p, "w") : NULL;
	if (f) {
		fprintf(f, "%d %d\n", n[0], n[1]);
		fclose(f);
	}
}

static CK_RV proxy_Initialize(CK_VOID_PTR args) {
	CK_RV rv = target->C_Initialize(args);
	if (rv == CKR_OK) count_call(0);
	return rv;
}

static CK_RV proxy_Finalize(CK_VOID_PTR reserved) {
	CK_RV rv = target->C_Finalize(reserved);
	if (rv == CKR_OK) count_call(1);
	return rv;
}

static CK_RV proxy_GetAttributeValue(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_PTR tmpl, CK_ULONG n) {
	CK_RV rv = target->C_GetAttributeValue(h, o, tmpl, n);
	const char *aa = getenv("VANTHU_PINPROXY_ALWAYS_AUTH");
	if (rv != CKR_OK || aa == NULL || *aa == 0) return rv;
	for (CK_ULONG i = 0; i < n; i++) {
		if (tmpl[i].type == CKA_ALWAYS_AUTHENTICATE && tmpl[i].pValue != NULL && tmpl[i].ulValueLen == sizeof(CK_BBOOL))
			*(CK_BBOOL *)tmpl[i].pValue = CK_TRUE;
	}
	return rv;
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
	if (ut != CKU_USER && ut != CKU_CONTEXT_SPECIFIC) return target->C_Login(h, ut, pin, len);
	int n = read_failures();
	if (n >= max_tries()) return CKR_PIN_LOCKED;
	const char *aa = getenv("VANTHU_PINPROXY_ALWAYS_AUTH");
	if (ut == CKU_CONTEXT_SPECIFIC && aa != NULL && *aa != 0) {
		if (pin == NULL || len != (CK_ULONG)strlen(aa) || memcmp(pin, aa, len) != 0) {
			write_failures(n + 1);
			return CKR_PIN_INCORRECT;
		}
		write_failures(0);
		return CKR_OK;
	}
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
		proxy.C_Initialize = proxy_Initialize;
		proxy.C_Finalize = proxy_Finalize;
		proxy.C_GetAttributeValue = proxy_GetAttributeValue;
		target = fl;
	}
	*pp = &proxy;
	return CKR_OK;
}
