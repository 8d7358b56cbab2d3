/*
 * libFuzzer target for QUIC in the session tracker (session/quic.c): the script
 * of session_script.h played as UDP datagrams of one flow, with a fixed key log
 * (the secrets of tests/data/quic's captures, so that seeds made from them by
 * tests/data/quic/fuzz_session_seeds.py open their Handshake and 1-RTT packets).
 * Detection, Initial keys, coalesced packets, CRYPTO reassembly out of order,
 * the handshake messages it feeds, closes and the inference at the end all run
 * on mutated datagrams.  Checks what an alert event promises.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "session_script.h"
#include "tlsalert/keylog.h"
#include "tlsalert/session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char keylog_text[] =
	"CLIENT_HANDSHAKE_TRAFFIC_SECRET "
	"50f47802585442c41bad3a725922cc4a066c393d11f2918fd095602d7c045589 "
	"f1ade89fec30ed06b23f7327cf6c86df78e7105662a26df33cb2f44f2b23f677\n"
	"SERVER_HANDSHAKE_TRAFFIC_SECRET "
	"50f47802585442c41bad3a725922cc4a066c393d11f2918fd095602d7c045589 "
	"3c3fa5e28216ddde3172112271c09d4ed1d17be69db14d03a2d3fd808c2d537d\n"
	"CLIENT_HANDSHAKE_TRAFFIC_SECRET "
	"482b0e70047a05fb6ad0bb3ddff0be43a356a0a982cbe25e113e82b335dffa60 "
	"984643a854a972988360f4c699ec8b306846a0d5fc0b7a9b1746d9d84c1f70b1\n"
	"SERVER_HANDSHAKE_TRAFFIC_SECRET "
	"482b0e70047a05fb6ad0bb3ddff0be43a356a0a982cbe25e113e82b335dffa60 "
	"979419832089bebc83f8642e1bb2848fa81ae58cc1caa1de097a0b596a7fb45e\n"
	"EXPORTER_SECRET "
	"482b0e70047a05fb6ad0bb3ddff0be43a356a0a982cbe25e113e82b335dffa60 "
	"3612185770065870664e1711ea0157f3e11d73941715589b4f16d9797a2f0ec2\n"
	"CLIENT_TRAFFIC_SECRET_0 "
	"482b0e70047a05fb6ad0bb3ddff0be43a356a0a982cbe25e113e82b335dffa60 "
	"1ddaf67e9dcee2058df81bea9c0adf9bf041103b7270a8ad10ae3365844c2ed5\n"
	"SERVER_TRAFFIC_SECRET_0 "
	"482b0e70047a05fb6ad0bb3ddff0be43a356a0a982cbe25e113e82b335dffa60 "
	"fc4bdf297ace14ebaf274345d3a2320f3b885a513b4aa7aad42be1314836a70e\n"
	"CLIENT_HANDSHAKE_TRAFFIC_SECRET "
	"2b0c2d892ac4aabc3e52678c31bc1a8dda29c602feaf7b76b492988e680b2891 "
	"b6bbfeedd6dc5535af6185b74b374ef1c86d6c30c9b5a00b81daf7c3ddf35a3c\n"
	"SERVER_HANDSHAKE_TRAFFIC_SECRET "
	"2b0c2d892ac4aabc3e52678c31bc1a8dda29c602feaf7b76b492988e680b2891 "
	"107d4705bb0139a796d2183aa64cd47e4f867a70587b4973c5eb690b94337b70\n"
	"EXPORTER_SECRET "
	"2b0c2d892ac4aabc3e52678c31bc1a8dda29c602feaf7b76b492988e680b2891 "
	"73335942a78eb81d0cd4557d3632de5e349798eaa5ed919e055f1b2bd3bae3e1\n"
	"CLIENT_TRAFFIC_SECRET_0 "
	"2b0c2d892ac4aabc3e52678c31bc1a8dda29c602feaf7b76b492988e680b2891 "
	"3dba3634490b0a1c9d5c59aa4893271f2e9deba58a81762ab27dff123508ca8e\n"
	"SERVER_TRAFFIC_SECRET_0 "
	"2b0c2d892ac4aabc3e52678c31bc1a8dda29c602feaf7b76b492988e680b2891 "
	"296a0c9ad7eaafd26d3ea047123c1e21abb35cac51ef7b17a90a86f5da32e9b0\n"
	"CLIENT_HANDSHAKE_TRAFFIC_SECRET "
	"0a922048206bf182b9ff592237fea8914e80c88e8725fc3514602a187c4d7ce2 "
	"15c5f49cac23855b1627c1847308d779057684f46305c4f65872a2986c9d7c0b\n"
	"SERVER_HANDSHAKE_TRAFFIC_SECRET "
	"0a922048206bf182b9ff592237fea8914e80c88e8725fc3514602a187c4d7ce2 "
	"d207cfb36204c2be25c0071c6748069d36664b60447298a53fdcd81db2652d1c\n"
	"EXPORTER_SECRET "
	"0a922048206bf182b9ff592237fea8914e80c88e8725fc3514602a187c4d7ce2 "
	"d34c3dece66dbede9ac8f4e9863816ed044fbbefeea54215aebd0c211a2a197a\n"
	"CLIENT_TRAFFIC_SECRET_0 "
	"0a922048206bf182b9ff592237fea8914e80c88e8725fc3514602a187c4d7ce2 "
	"7e5a98b0752fecfa3f527d9630498e78771bebb25e7308f9fa3419c951a84e2d\n"
	"SERVER_TRAFFIC_SECRET_0 "
	"0a922048206bf182b9ff592237fea8914e80c88e8725fc3514602a187c4d7ce2 "
	"616a4b575b6e656186294e2e90ec73217013629756d326ba8f939361532369aa\n"
	"CLIENT_HANDSHAKE_TRAFFIC_SECRET "
	"3a2e075ed83d25026d41227491c29af3540ad090e6cb947189723b124c4e7854 "
	"f7b1d3869e6776e4d9f18d4f0bbb9cb49b67207c3d0a5758e5cec3a556fffb88\n"
	"SERVER_HANDSHAKE_TRAFFIC_SECRET "
	"3a2e075ed83d25026d41227491c29af3540ad090e6cb947189723b124c4e7854 "
	"b99adb2da8125997c14c80e765a3999a62cc3ea55b08b9239b656cf606faabd6\n"
	"EXPORTER_SECRET "
	"3a2e075ed83d25026d41227491c29af3540ad090e6cb947189723b124c4e7854 "
	"f192720e399ce42985da0819ca372891be5fb1bafa8c1b2096b2810c1605ada2\n"
	"CLIENT_TRAFFIC_SECRET_0 "
	"3a2e075ed83d25026d41227491c29af3540ad090e6cb947189723b124c4e7854 "
	"eeee7fddf5646cd3564c8036e5e37f0efa3e0beed4b65a48c0f4d3f1fc2ac417\n"
	"SERVER_TRAFFIC_SECRET_0 "
	"3a2e075ed83d25026d41227491c29af3540ad090e6cb947189723b124c4e7854 "
	"2bb9d59c47009d0568c38d5543b53bdcf4adb849696931c686ee539304268ef7\n";

static void on_alert(void *ctx, const struct tlsa_alert_event *ev)
{
	size_t *n = ctx;
	if (ev->quic && (ev->quic_space == NULL || ev->stage == NULL || ev->history == NULL))
		__builtin_trap();
	if (ev->quic && !ev->inferred &&
	    (ev->description < 0 || ev->description > 255 ||
	     ev->quic_error != 0x100u + (unsigned)ev->description))
		__builtin_trap(); /* an alert is CRYPTO_ERROR 0x100 + its code */
	if (strnlen(ev->quic_reason, sizeof(ev->quic_reason)) > TLSA_QUIC_REASON_MAX)
		__builtin_trap();
	*n += ev->record_length + strlen(ev->history) + strlen(ev->hs->sni) +
	      strlen(ev->hs->alpn_offered) + strlen(ev->hs->alpn_selected);
}

static void on_conn(void *ctx, const struct tlsa_conn_event *ev)
{
	size_t *n = ctx;
	if (ev->quic_close.closed && ev->quic_close.space == NULL)
		__builtin_trap();
	*n += ev->n_alerts + strlen(ev->history) + strlen(ev->quic_close.reason);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tlsa_keylog *kl;
	if (kl == NULL) {
		kl = tlsa_keylog_new();
		if (kl == NULL || tlsa_keylog_add_text(kl, keylog_text, sizeof(keylog_text) - 1,
						       "fuzz", NULL, NULL, NULL) < 0)
			__builtin_trap();
	}
	if (size < 1 || size > 200000)
		return 0;
	size_t sink = 0;
	struct tlsa_tracker_opts o = {.sz = sizeof(o),
				      .ctx = &sink,
				      .on_alert = on_alert,
				      .on_conn = on_conn,
				      .keylog = (data[0] & 32) ? NULL : kl};
	struct tlsa_tracker *t = tlsa_tracker_new(&o);
	if (t == NULL)
		return 0;
	struct tlsa_capture_handler h;
	tlsa_tracker_handler(t, &h);
	/* UDP always: the script's bit 2 */
	static uint8_t buf[200000];
	memcpy(buf, data, size);
	buf[0] |= 4;
	play_session_script(buf, size, &h);
	tlsa_tracker_free(t);
	return (int)(sink & 0);
}
