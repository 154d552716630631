package io.hardneg.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccessTokenTest {

    private final AccessToken token = AccessToken.of("s3cr3t+/=");

    @Test
    void shouldAdmitEveryRequestWhenNoTokenIsConfigured() {
        assertThat(AccessToken.none().required()).isFalse();
        assertThat(AccessToken.none().admits(null, null)).isTrue();
        assertThat(AccessToken.readFrom(null)).isSameAs(AccessToken.none());
    }

    @Test
    void shouldAdmitTheTokenAsBearerHeaderWhateverTheSchemeCase() {
        assertThat(token.admits("Bearer s3cr3t+/=", null)).isTrue();
        assertThat(token.admits("bearer  s3cr3t+/= ", null)).isTrue();
    }

    @Test
    void shouldAdmitTheTokenAsPercentEncodedQueryParameterAmongOthers() {
        assertThat(token.admits(null, "token=s3cr3t%2B%2F%3D")).isTrue();
        assertThat(token.admits(null, "a=1&token=s3cr3t%2B%2F%3D&b=2")).isTrue();
    }

    @Test
    void shouldRefuseAMissingWrongOrPrefixedToken() {
        assertThat(token.admits(null, null)).isFalse();
        assertThat(token.admits("", "")).isFalse();
        assertThat(token.admits("Bearer ", "token=")).isFalse();
        assertThat(token.admits("Bearer s3cr3t", null)).isFalse();
        assertThat(token.admits("Bearer s3cr3t+/=x", null)).isFalse();
        assertThat(token.admits("Basic s3cr3t+/=", null)).isFalse();
        assertThat(token.admits("s3cr3t+/=", null)).isFalse();
        assertThat(token.admits(null, "xtoken=s3cr3t%2B%2F%3D")).isFalse();
        assertThat(token.admits(null, "token=%zz")).isFalse();
    }

    @Test
    void shouldReadTheFileOnceTrimmingTheTrailingNewline(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("token"), "  abc123\n");

        AccessToken read = AccessToken.readFrom(file);
        Files.writeString(file, "changed");

        assertThat(read.required()).isTrue();
        assertThat(read.admits("Bearer abc123", null)).isTrue();
        assertThat(read.admits("Bearer changed", null)).isFalse();
    }

    @Test
    void shouldRefuseAMissingOrEmptyFileNamingItsPath(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("nope");
        Path empty = Files.writeString(dir.resolve("empty"), " \n");

        assertThatThrownBy(() -> AccessToken.readFrom(missing)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("http.auth.token-file " + missing + " does not exist");
        assertThatThrownBy(() -> AccessToken.readFrom(empty)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("http.auth.token-file " + empty + " is empty");
        assertThatThrownBy(() -> AccessToken.readFrom(dir)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("http.auth.token-file " + dir + " cannot be read");
    }

    @Test
    void shouldNeverPrintTheToken() {
        assertThat(token.toString()).doesNotContain("s3cr3t").isEqualTo("AccessToken[hidden]");
        assertThat(AccessToken.none()).hasToString("AccessToken[none]");
    }
}
