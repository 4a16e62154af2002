/** The file trigger: files a partner drops in a folder, each stored as an event before it is moved to {@code .done}. */
package io.switchboard.files;
