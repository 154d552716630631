package io.hardneg.web;

import java.io.File;
import java.nio.file.Path;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/** Debian's Chromium driven by its own chromedriver, with the flags this offline machine needs. */
public final class HeadlessChrome {

    public static final File CHROMEDRIVER = new File("/usr/bin/chromedriver");
    public static final String MISSING = "skipped: /usr/bin/chromedriver is missing (apt-get install -y chromium chromium-driver)";

    private HeadlessChrome() {
    }

    public static boolean available() {
        return CHROMEDRIVER.canExecute();
    }

    /** A new browser with an empty profile under {@code profile}; pointing at the driver avoids any download. */
    public static ChromeDriver open(Path profile) {
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER)
                .usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions().addArguments("--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--disable-quic", "--disable-dev-shm-usage", "--window-size=1500,1300",
                "--user-data-dir=" + profile.toAbsolutePath());
        return new ChromeDriver(service, options);
    }
}
