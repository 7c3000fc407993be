# probes.mk: builds the eBPF programs (clang -target bpf), their skeletons (bpftool) and links the loaders into libdockward.
BPF_CLANG   ?= clang
BPFTOOL     ?= $(shell command -v bpftool 2>/dev/null || echo /usr/sbin/bpftool)
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux
BPF_ARCH    := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/' -e 's/ppc64le/powerpc/' -e 's/s390x/s390/')

PROBE_NAMES := $(patsubst probes/%.bpf.c,%,$(wildcard probes/*.bpf.c))
PROBE_SKELS := $(PROBE_NAMES:%=$(B)/probes/%.skel.h)
PROBE_OBJ   := $(PROBE_NAMES:%=$(B)/obj/probes/%.o)
LIB_OBJ     += $(PROBE_OBJ)

# vmlinux.h from this kernel's BTF when there is one, else the committed fallback (a subset with the
# fields the programs read; CO-RE relocates them): the programs include "vmlinux.h" from $(B)/probes only
$(B)/probes/vmlinux.h: $(wildcard $(VMLINUX_BTF)) probes/vmlinux_fallback.h
	@mkdir -p $(dir $@)
	$(Q)if [ -r "$(VMLINUX_BTF)" ] && $(BPFTOOL) btf dump file $(VMLINUX_BTF) format c >$@.tmp 2>/dev/null; then \
	    mv $@.tmp $@; else rm -f $@.tmp; cp probes/vmlinux_fallback.h $@; fi

$(B)/probes/%.bpf.o: probes/%.bpf.c probes/%.h $(B)/probes/vmlinux.h
	@$(if $(V),,echo "  BPF     $<")
	$(Q)$(BPF_CLANG) -g -O2 -target bpf -D__TARGET_ARCH_$(BPF_ARCH) -Wall -Werror -I$(B)/probes -Iprobes $(PKG_CFLAGS) -c $< -o $@

$(B)/probes/%.skel.h: $(B)/probes/%.bpf.o
	@$(if $(V),,echo "  SKEL    $@")
	$(Q)$(BPFTOOL) gen skeleton $< name $* >$@.tmp && mv $@.tmp $@

# the loaders include their skeletons; the rule engine includes the event layouts
$(PROBE_OBJ): EXTRA_CFLAGS += -I$(B)/probes
$(PROBE_OBJ): $(B)/obj/probes/%.o: $(B)/probes/%.skel.h
.SECONDARY: $(PROBE_NAMES:%=$(B)/probes/%.bpf.o) $(B)/probes/vmlinux.h
