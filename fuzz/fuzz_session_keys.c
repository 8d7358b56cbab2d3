/*
 * libFuzzer target for the session tracker with decryption on: a fixed key
 * log (every key log of tests/data/corpus, tests/data/compression and
 * tests/data/legacy-suites, so seeds made from those captures by
 * tests/data/keylog/fuzz_seeds.py decrypt: DEFLATE-compressed records and
 * RC4 among them) plus the script of session_script.h; bit 5 of the first
 * byte is --decrypt-all.
 *
 * Key stages, sequence numbers, decrypted handshake parsing (certificates
 * through d2i_X509), authentication failures and the inference fallback all
 * run on mutated records.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "session_script.h"
#include "tlsalert/keylog.h"
#include "tlsalert/session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char keylog_text[] =
	"CLIENT_RANDOM 307e39ea8ba7a6fb2073a21c2147a81167bd6ff1e7b9beec573f074693a93584 "
	"82af8fe4f6367d9ad63854088d929e3d35b91329c990020fa49a521854117c0499e40b4d3b2849be7bd79db280"
	"7416fa\n"
	"CLIENT_RANDOM 5f6adc64a6f43de997cdc40fa3a6c376dd8cf933e5e09c836834adaf9cef589b "
	"3094b7070f6cf3efb6f4327232a83101e91dbb8a2525b7a7283c3a47bb73ac36f74a75b0cde5eb1b969584ba86"
	"bc92a2\n"
	"CLIENT_RANDOM 82ebf20ef37f0bd60b5f15e32bcefd387abd136cd28bb50e6eff0195f6e2c145 "
	"b766981bef4e781d61ee6a7d496b7a21b2130fcd6f84e095a49c8563b5b7485a18dd962e083bba2afa47f3c79c"
	"07ca36\n"
	"CLIENT_RANDOM 5340c59e4af5c9a24c075d88e43972cd92c25719bfed55b02e8eaa4db1f20469 "
	"2a4962908cb5e6152ed55c64d61188c3c0e2edb670474b852a1d0ca2bea85572a6fcf6e44c29dd28252f888582"
	"991e26\n"
	"CLIENT_RANDOM a3d59f6180e3c251f6e43a1afd591c030e6737539533660b148160159014d83b "
	"70125992af0c8c212762c1fbdc897dc0a9f6a445973a570314cb98986d05c02b288c5252cbdc48962caea21d78"
	"29ba99\n"
	"CLIENT_HANDSHAKE_TRAFFIC_SECRET "
	"f781fedb0778b5ab199f14399f77e72797b16a90ede8ebdfe1826fed71308952 "
	"97747eee19593625fae18e4a653e3067e41023400f3cea3b0594185039abe3d47a87a5807bad2811538ada0206"
	"c1d391\n"
	"SERVER_HANDSHAKE_TRAFFIC_SECRET "
	"f781fedb0778b5ab199f14399f77e72797b16a90ede8ebdfe1826fed71308952 "
	"f360c63db7e3e2f5b843bba6b267c1f171e0955182b55431c3fdfc9a51f970d65b9a67132447da3e4d172291ac"
	"15155d\n"
	"SERVER_HANDSHAKE_TRAFFIC_SECRET "
	"f7686e68a87f398b45ec8041ac17dace64aa6b6b67229ae774ccf6aef1f96977 "
	"1945cc74b620f2551bdd014f8e609cfb639b652f061e012ab9b61508f056437da26e1be379adc419e76bb644f9"
	"2ea1fb\n"
	"EXPORTER_SECRET f7686e68a87f398b45ec8041ac17dace64aa6b6b67229ae774ccf6aef1f96977 "
	"165b32c9d422a70702db454f20718bff3bdf8a80263130354ac7ba005aaccf96633126739e7984465dcf75e741"
	"38e8f5\n"
	"SERVER_TRAFFIC_SECRET_0 f7686e68a87f398b45ec8041ac17dace64aa6b6b67229ae774ccf6aef1f96977 "
	"e16201894212406feab511dd4bf5cdc32b0dca521e81eddca8f8470da17df337230df522d6fd6144444f7a3010"
	"dced3e\n"
	"CLIENT_HANDSHAKE_TRAFFIC_SECRET "
	"f7686e68a87f398b45ec8041ac17dace64aa6b6b67229ae774ccf6aef1f96977 "
	"6c3d4fdf7835d6f340b7f4ed784c9119f994c3f9ffc5aac65b776138c1aaf81d2e44dd782e2e8c60497149dc3a"
	"85cd70\n"
	"CLIENT_TRAFFIC_SECRET_0 f7686e68a87f398b45ec8041ac17dace64aa6b6b67229ae774ccf6aef1f96977 "
	"b56fec1e9af9578da98d5c512e950e2f0a8a300b4892ecae20f3fb7285c88a369435cf146a20ed09b963d545a0"
	"8163e4\n"
	"SERVER_HANDSHAKE_TRAFFIC_SECRET "
	"0daff275cf0e17c563c0401b9ed5d8fd02d1dd63f8a295493079c2739e9572f1 "
	"3fabc63ce290ddbfeae65754aef472e5981222770dfda6c4fdde4af7ea0c03612e6984980aaca03a1db6afc2c8"
	"1c121a\n"
	"CLIENT_HANDSHAKE_TRAFFIC_SECRET "
	"247528c0f56bdda64bdd4ddbefe4e74671f7047f3f161c6ca955f24a9b5327f5 "
	"85baedb7c7ece56b221d9aa6cb1f060d0ad33f21fbd84bc953b26dc54bd5083bcd03f19b520f49b695d633903f"
	"5a3906\n"
	"SERVER_HANDSHAKE_TRAFFIC_SECRET "
	"247528c0f56bdda64bdd4ddbefe4e74671f7047f3f161c6ca955f24a9b5327f5 "
	"c8b871ddab4ac3394d2230c469b924b095e6ff37c6e01ba8c3daeb70d2b7f62b7174c7d723836a750cb4e1fc4c"
	"f10099\n"
	"EXPORTER_SECRET 247528c0f56bdda64bdd4ddbefe4e74671f7047f3f161c6ca955f24a9b5327f5 "
	"7851edc76ac2b5ce6bc80e5125041a99ab24e953d291dc866facc3e7dad4e94ac1475099faaea834cbdb72df98"
	"f4bc44\n"
	"CLIENT_TRAFFIC_SECRET_0 247528c0f56bdda64bdd4ddbefe4e74671f7047f3f161c6ca955f24a9b5327f5 "
	"c48691fb8163c5adb041b0e321463f24b368b7e7543b601c4e76d3373abbaa599cb3954596fec0b42ace95d359"
	"0b261c\n"
	"SERVER_TRAFFIC_SECRET_0 247528c0f56bdda64bdd4ddbefe4e74671f7047f3f161c6ca955f24a9b5327f5 "
	"c2359615ee5002661f47798c3d2add33df02b924ac04091435b03c51ca635a4481956bbe94b8bdd922fb9a7227"
	"c09dbc\n"
	"SERVER_HANDSHAKE_TRAFFIC_SECRET "
	"8e04cde1f84ab5555be2ff23e53f4c13334905d481bf4da7c42296d1e896c798 "
	"3a05450b1c0dc43ae53c73801ba7321d428d59a4b7a10151061b3b9eb52e0b45b130c2e93e3e7d456f7c6a4a2a"
	"df7cb0\n"
	"EXPORTER_SECRET 8e04cde1f84ab5555be2ff23e53f4c13334905d481bf4da7c42296d1e896c798 "
	"a2388bd67e44c658b704c404ebe63909e5be845f6b4aec95c00bd75a438e274cc840223b0afa8cff6c8e225685"
	"864759\n"
	"SERVER_TRAFFIC_SECRET_0 8e04cde1f84ab5555be2ff23e53f4c13334905d481bf4da7c42296d1e896c798 "
	"257f4ce0c4bc978c293b4fca613b72c569765dc6fbd8f6eaaaa596ed1129cfef56465b64442cbdc228f21db65b"
	"80f9f3\n"
	"CLIENT_HANDSHAKE_TRAFFIC_SECRET "
	"8e04cde1f84ab5555be2ff23e53f4c13334905d481bf4da7c42296d1e896c798 "
	"0f20b0faaae74326ae0f0dc16f4ff774132c0cd33e57dfb254d574511e7ad9b88095959271b5da83d0e7cfd735"
	"b5737a\n"
	"CLIENT_TRAFFIC_SECRET_0 8e04cde1f84ab5555be2ff23e53f4c13334905d481bf4da7c42296d1e896c798 "
	"7dc8d118686e31c75e31b9468dbfd092f71341a82a307557355d0dd981104ffa0075dfe17379dfb33ccb1fc6af"
	"c8554e\n"
	"SERVER_HANDSHAKE_TRAFFIC_SECRET "
	"b45550486d148033db78afbf1548c794d74347154e60f1ae3031b2423e20d9a1 "
	"3c386e3ea83ec0a5a111b15a5533e6475eb9dd2b6c399b4add7cb87ca239a42d558b5dca83f63a5b3c6e6ae49a"
	"c3e497\n"
	"EXPORTER_SECRET b45550486d148033db78afbf1548c794d74347154e60f1ae3031b2423e20d9a1 "
	"35024149d484db2138576d684eaec1f68da661e1bcbfd6e066669018c781dca66a293f5b09cb0fcf6defea0d02"
	"791a25\n"
	"SERVER_TRAFFIC_SECRET_0 b45550486d148033db78afbf1548c794d74347154e60f1ae3031b2423e20d9a1 "
	"4d3a62699e010897ac23f0455dd64d15bd9ae7e2b7176bdc2fbb4794ff98d7862b8b27561641c97d59a95fedfe"
	"038b95\n"
	"CLIENT_HANDSHAKE_TRAFFIC_SECRET "
	"b45550486d148033db78afbf1548c794d74347154e60f1ae3031b2423e20d9a1 "
	"56c8cc7e0c367d0000c8b448892e218a232dd3c2486b73f4456ae49b8311d953ff1aa4afa63089d239f5463816"
	"adfa52\n"
	"CLIENT_TRAFFIC_SECRET_0 b45550486d148033db78afbf1548c794d74347154e60f1ae3031b2423e20d9a1 "
	"6f8350f1f1e834f3d3d3e2cff5b2e687062c7024f8d775feb229a3ac6ebbe44e38d8200a3e017e02c22d020f56"
	"d23a4d\n"
	"SERVER_HANDSHAKE_TRAFFIC_SECRET "
	"5cad584987e7a50974291b49a0c299cd2f20d3447cce5443dcba76294e3dc481 "
	"7141de1d991883f7708591b428f2ceabadad1609e297b097a9f4f7226a9865d5b3c6ddd83088cb88b4427e02ea"
	"5d47b0\n"
	"EXPORTER_SECRET 5cad584987e7a50974291b49a0c299cd2f20d3447cce5443dcba76294e3dc481 "
	"112bf0c63e79f035640d33988eaf316a1baa3171b2699779116210aed4ca17d15d0cba1272e9c2c1f8bcd56a20"
	"1f6506\n"
	"SERVER_TRAFFIC_SECRET_0 5cad584987e7a50974291b49a0c299cd2f20d3447cce5443dcba76294e3dc481 "
	"9f8c92b032976a91adaf5f9ad971f7c44546797df8b1d5d751bb44c7366e9260fc4fb69af2fcabc991e046be78"
	"7f40f7\n"
	"CLIENT_HANDSHAKE_TRAFFIC_SECRET "
	"5cad584987e7a50974291b49a0c299cd2f20d3447cce5443dcba76294e3dc481 "
	"a48286a895078dd788c8833ebbcad0019fe532f2fc3d8ed49e79d9ed09d702ce3268ab5d831358cd56d22cd0c3"
	"5097ad\n"
	"CLIENT_TRAFFIC_SECRET_0 5cad584987e7a50974291b49a0c299cd2f20d3447cce5443dcba76294e3dc481 "
	"0c35af68b11e12ff6471bf1090e9b8e6e518042055182b1cc58662cf78685ac996abfa17322f59a6c6d8569f26"
	"2ee211\n"
	"SERVER_HANDSHAKE_TRAFFIC_SECRET "
	"991d1aede7249cb1b4415b514501e13cc7d696f74d75f4aa44b32dbfa0d2f5cb "
	"c6c705910f4a6cef42d198d1b7d392f3898b67e83f2497325cffb19e7ab946b4dc73eb8bed05a319bf22b54527"
	"7fffaa\n"
	"EXPORTER_SECRET 991d1aede7249cb1b4415b514501e13cc7d696f74d75f4aa44b32dbfa0d2f5cb "
	"c1cb94902ef791e899ddbc93e4b752e374d80c4a75f8c4e83fff9bb4d51a7dc61206ffd846af1065184e1553ce"
	"0284e6\n"
	"SERVER_TRAFFIC_SECRET_0 991d1aede7249cb1b4415b514501e13cc7d696f74d75f4aa44b32dbfa0d2f5cb "
	"890e3a6f7cfbfb3d16020aa02e4ccc519c6bc3df82088fbae96c65ed3bd3d897f860e26109daaa66ae73ac7d48"
	"0b3316\n"
	"CLIENT_HANDSHAKE_TRAFFIC_SECRET "
	"991d1aede7249cb1b4415b514501e13cc7d696f74d75f4aa44b32dbfa0d2f5cb "
	"0c45848b47c22a0f3ef41577f2ef9aeb78d233feb09e2bf9fb3f3b36d0c502a747d1a19b7fdacb850a759609bb"
	"6a28b9\n"
	"CLIENT_TRAFFIC_SECRET_0 991d1aede7249cb1b4415b514501e13cc7d696f74d75f4aa44b32dbfa0d2f5cb "
	"9a09aa2e6622339d46fb46bb02a9e3b4c3e44ae45ba49c08e4144d3e07a7979bcb62c2e23a4b5509706b80a6ab"
	"4147b9\n"
	"SERVER_HANDSHAKE_TRAFFIC_SECRET "
	"a50c9512c48672acbfbb3766e20807c26224c32ec2852e39e7787d6adcedfb56 "
	"1325b7f0daf393cbdb2eb0be0937fd4434dcb6d4d5dd54ae7665cfd7a644a0e4c9c8c485710237786c27d94816"
	"0e8632\n"
	"CLIENT_RANDOM c7f12d33494fbf52ecc6d1110c5978dbc7cca1c3784f94415c34c1a9ab98568b "
	"60e37aada7a20901191d4a771093708d88fc3f55ccfb5609d8cb9d9c7a001f52cfb360d1e4c854d9a6f6cef310"
	"329868\n"
	"CLIENT_RANDOM 9b2941a5f98cb8f6a1dec32d6e4e0a5ed7fc4d395a19534170e2a6415c66255d "
	"dcbf85bd16cda773d9384f50d145c416bd9a1e058135d428c73d303bd3367b5e27c4ce2ce88305f7a77baf284b"
	"028ee1\n"
	"CLIENT_RANDOM b00aa6cfa364457a2245e1fa176a6af049229a42332edd9b4a924cf68b141253 "
	"fda8d6c534536fcfa6860a5d51343541c733af8161b3986fc5bf227f7e06110e5214f7c87e72685dc246bdc4f8"
	"51def8\n"
	"CLIENT_RANDOM 67fbd3bc37f9a1d4190cabec79feaf96192f41e7127d8a06184f336a81ccce4f "
	"70900c261fde634e471ce8b126a56ded295edd39c1fa5906aac4ba2333167dbb4ef41120fbb48d590a93638758"
	"b59b78\n"
	"CLIENT_RANDOM d3e8e75ce1fbf9098d1d74ad3fa9b22ddfd8a5da2ca15513e950939fafb51f2f "
	"c5f4ab0eedaca0dd04b1b739b10ca80ddf78bdb1cdad1b4ca52cd4922c85a56b6d220aeced0df1a312ad0f1c73"
	"7a2978\n"
	"CLIENT_RANDOM b65fb55e0b1b7624e287242c9cc475a932295465590587f621506a5f33ddfb9b "
	"03d0f7630933d70c6b3fd575957f7447cda9aba8a7e3ef8b59b1d9f2dbd6ed0a920d765cc62439000f9932acd6"
	"7fce50\n"
	"CLIENT_RANDOM 5ec8bbf4f96b7c5554962462db2bfcfe11712d23302c089ef9862b774beecb41 "
	"6599116d24391f33c51b772b5658df022375eaf20980275cd99634fd177cbb20f818d1f9a9e5a5dbbb3294267d"
	"bcfc00\n"
	"CLIENT_RANDOM ba46b73c5bee36f19a0e6e2bf4759e4bd3d7312a2114b2f37cc7126ce3d15548 "
	"1fef8f1e15e5c9160f2221aac0a62d9e34fd78ce3b1bfa2547dc69745d660935683a2f376c59584cad7892bb7b"
	"fd0a60\n"
	"CLIENT_RANDOM 683828b7aa7d4bdb66661204154852d2a3380f097c1a146f5f5215bc14b14c65 "
	"64617a6429cbce94462c462f77194d97858478723ab9c884eca07ea08a0b15832d38354c9b4b88ec8bba5d931a"
	"d1c8be\n"
	"CLIENT_RANDOM 13a30f219f3b34c310c7d68aaa8908bb7f4442fa222fc6cf33ebd196fb9eafec "
	"15f63caf3ff27149d48a83b6c63dd600effdc368d4262604e73404321507a2c535f547cff6a0f8561980f2cac8"
	"2850ac\n";

static void on_alert(void *ctx, const struct tlsa_alert_event *ev)
{
	size_t *n = ctx;
	*n += ev->record_length + (size_t)ev->decrypted + (ev->stage ? strlen(ev->stage) : 0) +
	      (ev->history ? strlen(ev->history) : 0) +
	      (ev->decrypt_error ? strlen(ev->decrypt_error) : 0);
	if (ev->server_cert != NULL)
		*n += strlen(ev->server_cert->subject) + strlen(ev->server_cert->issuer) +
		      strlen(ev->server_cert->not_after);
	if (ev->client_cert != NULL)
		*n += strlen(ev->client_cert->subject) + (size_t)ev->client_cert->chain_length;
}

static void on_conn(void *ctx, const struct tlsa_conn_event *ev)
{
	size_t *n = ctx;
	*n += ev->n_alerts + ev->n_decrypted + (ev->history ? strlen(ev->history) : 0);
}

static void on_notice(void *ctx, const struct tlsa_pktinfo *pkt, const char *msg)
{
	size_t *n = ctx;
	(void)pkt;
	*n += strlen(msg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t sink = 0;
	struct tlsa_keylog *kl = tlsa_keylog_new();
	if (kl == NULL)
		return 0;
	(void)tlsa_keylog_add_text(kl, keylog_text, sizeof(keylog_text) - 1, "fixed", NULL, NULL,
				   NULL);
	struct tlsa_tracker_opts o = {.sz = sizeof(o),
				      .ctx = &sink,
				      .on_alert = on_alert,
				      .on_conn = on_conn,
				      .on_notice = on_notice,
				      .keylog = kl,
				      .decrypt_all = (data[0] & 32) != 0};
	struct tlsa_tracker *t = tlsa_tracker_new(&o);
	if (t == NULL) {
		tlsa_keylog_free(kl);
		return 0;
	}
	struct tlsa_capture_handler h;
	tlsa_tracker_handler(t, &h);

	play_session_script(data, size, &h);
	tlsa_tracker_free(t);
	tlsa_keylog_free(kl);
	return (int)(sink & 0);
}
