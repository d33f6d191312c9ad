# pam_deployguard.so, included from the top-level Makefile.
#
# Links the client library statically (its objects are -fPIC) and exports
# only the pam_sm_* entry points (version script), so nothing of ours can
# clash with another module or with the application that loads it.

PAM_SRCS	:= pam/pam_deployguard.c pam/pam_options.c pam/failopen_audit.c
PAM_OBJS	:= $(call obj,$(PAM_SRCS))
PAM_MODULE	:= $(BUILD)/pam_deployguard.so
PAM_LIBS	:= -lpam -laudit

$(PAM_MODULE): $(PAM_OBJS) $(BUILD)/libdgclient.a pam/pam_deployguard.map
	$(CC) $(CFLAGS) $(LDFLAGS) -shared -Wl,--version-script=pam/pam_deployguard.map \
		-Wl,-z,defs -Wl,-z,relro -Wl,-z,now -o $@ $(PAM_OBJS) $(BUILD)/libdgclient.a $(PAM_LIBS)

ALL_EXTRA	+= $(PAM_MODULE)
DEB_DEPS	+= libpam-modules man-db
