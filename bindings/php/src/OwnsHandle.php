<?php

declare(strict_types=1);

namespace Onderwijsregio;

use FFI\CData;
use Onderwijsregio\Exception\MisuseException;

/**
 * The lifetime of a class that owns one library handle (Client, Schema, Verifier): released once,
 * by release() or the destructor, with the library function the class's HANDLE_FREE names
 * ('oreg_client_free'); never shared by a clone. The class's HANDLE_GONE is the message of a call
 * after the release ('the client was closed').
 *
 * @internal
 */
trait OwnsHandle
{
    private ?CData $handle = null;

    /** Frees the handle (idempotent). */
    private function release(): void
    {
        if ($this->handle !== null) {
            Library::ffi()->{self::HANDLE_FREE}($this->handle);
            $this->handle = null;
        }
    }

    /** The live handle; MisuseException after the release. */
    private function handle(): CData
    {
        if ($this->handle === null) {
            throw new MisuseException(self::HANDLE_GONE);
        }
        return $this->handle;
    }

    public function __destruct()
    {
        $this->release();
    }

    public function __clone()
    {
        $this->handle = null; // the handle belongs to the original
        $class = substr(self::class, strrpos(self::class, '\\') + 1);
        throw new MisuseException("a $class cannot be cloned");
    }
}
